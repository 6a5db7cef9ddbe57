package sil

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
)

// dov is one datiSingoloVersamento of a test Dovuti document.
type dov struct {
	IUD, Importo, Tipo, Causale, DSR, Extra string
}

// dovutiXML builds a Dovuti document; payerExtra is appended inside
// soggettoPagatore, iuv is "" to omit it.
func dovutiXML(tipoID, cf, payerExtra, tipoVers, iuv string, items ...dov) string {
	var b strings.Builder
	b.WriteString(`<Dovuti xmlns="http://www.regione.veneto.it/schemas/2012/Pagamenti/Ente/"><versioneOggetto>6.2.0</versioneOggetto>`)
	fmt.Fprintf(&b, `<soggettoPagatore><identificativoUnivocoPagatore><tipoIdentificativoUnivoco>%s</tipoIdentificativoUnivoco>`+
		`<codiceIdentificativoUnivoco>%s</codiceIdentificativoUnivoco></identificativoUnivocoPagatore>`+
		`<anagraficaPagatore>MARIO ROSSI</anagraficaPagatore>%s</soggettoPagatore>`, tipoID, cf, payerExtra)
	fmt.Fprintf(&b, `<datiVersamento><tipoVersamento>%s</tipoVersamento>`, tipoVers)
	if iuv != "" {
		fmt.Fprintf(&b, `<identificativoUnivocoVersamento>%s</identificativoUnivocoVersamento>`, iuv)
	}
	for i, it := range items {
		if it.IUD == "" {
			it.IUD = fmt.Sprintf("D-%d", i+1)
		}
		if it.Importo == "" {
			it.Importo = "25.00"
		}
		if it.Tipo == "" {
			it.Tipo = "TARI"
		}
		if it.Causale == "" {
			it.Causale = "Diritti di segreteria"
		}
		if it.DSR == "" {
			it.DSR = "9/0201102IM/"
		}
		fmt.Fprintf(&b, `<datiSingoloVersamento><identificativoUnivocoDovuto>%s</identificativoUnivocoDovuto>`+
			`<importoSingoloVersamento>%s</importoSingoloVersamento><identificativoTipoDovuto>%s</identificativoTipoDovuto>`+
			`<causaleVersamento>%s</causaleVersamento><datiSpecificiRiscossione>%s</datiSpecificiRiscossione>%s</datiSingoloVersamento>`,
			it.IUD, it.Importo, it.Tipo, it.Causale, it.DSR, it.Extra)
	}
	b.WriteString(`</datiVersamento></Dovuti>`)
	return b.String()
}

const (
	goodCF    = "RSSMRA80A01H501U"
	goodEmail = `<e-mailPagatore>mario.rossi@example.org</e-mailPagatore>`
	mbGood    = `<datiMarcaBolloDigitale><tipoBollo>01</tipoBollo><hashDocumento>aGFzaA==</hashDocumento><provinciaResidenza>VE</provinciaResidenza></datiMarcaBolloDigitale>`
)

func TestValidateDovutiFaults(t *testing.T) {
	h := newHarness(t, "sqlite")
	ctx := context.Background()
	// IUD-USED is taken by a stored dovuto.
	must(t, h.db.InsertDovuto(ctx, &gateway.Dovuto{EnteID: h.ente.ID, IUD: "IUD-USED", TipoDovuto: "TARI", Amount: 100,
		Causale: "x", DatiSpecificiRiscossione: "9/0201102IM/", Payer: &gateway.Payer{Type: "F", ID: goodCF, Name: "X"}}))

	cases := []struct {
		name, doc, show, code, faultStr string
	}{
		{"not base64", "", "", gateway.CodeXMLNonValido, "XML dei dovuti non valido"},
		{"schema", "<Dovuti/>", "", gateway.CodeXMLNonValido, "XML dei dovuti non valido"},
		{"IUV supplied", dovutiXML("F", goodCF, "", "ALL", "01991234567890123", dov{}), "", gateway.CodeIUVNonValido, "l'inserimento dello IUV è deprecato"},
		{"tipoVersamento", dovutiXML("F", goodCF, "", "BP|XX", "", dov{}), "", gateway.CodeTipoVersamentoNonValido, "Tipo versamento non valido [BP|XX]"},
		{"codice fiscale", dovutiXML("F", "RSSMRA80A01H501X", "", "ALL", "", dov{}), "", gateway.CodeCodiceFiscaleNonValido, "Codice fiscale non valido [RSSMRA80A01H501X]"},
		{"partita IVA", dovutiXML("G", "12345678901", "", "ALL", "", dov{}), "", gateway.CodePIVANonValido, "P.IVA non valida [12345678901]"},
		{"anonimo with one tipo not flagged", dovutiXML("F", "ANONIMO", "", "ALL", "", dov{Tipo: "ANON"}, dov{Tipo: "TARI"}), "", gateway.CodeCodiceFiscaleNonValido, "Funzionalita CF ANONIMO non valida"},
		{"IUD blank", dovutiXML("F", goodCF, "", "ALL", "", dov{IUD: "  "}), "", gateway.CodeIUDNonValido, "IdentificativoUnivocoDovuto non valido []"},
		{"IUD 000", dovutiXML("F", goodCF, "", "ALL", "", dov{IUD: "000X"}), "", gateway.CodeIUDNonValido, "IdentificativoUnivocoDovuto non valido [000X]"},
		{"IUD used", dovutiXML("F", goodCF, "", "ALL", "", dov{IUD: "IUD-USED"}), "", gateway.CodeIUDDuplicato, "IUD [IUD-USED] già inviato"},
		{"tipo unknown", dovutiXML("F", goodCF, "", "ALL", "", dov{Tipo: "NONCE"}), "", gateway.CodeTipoDovutoNonValido, "identificativoTipoDovuto [NONCE] non valido"},
		{"tipo disabled", dovutiXML("F", goodCF, "", "ALL", "", dov{Tipo: "SPENTO"}), "", gateway.CodeTipoDovutoNonAbilitato, "identificativoTipoDovuto [SPENTO] non abilitato"},
		{"marca bollo amount", dovutiXML("F", goodCF, "", "ALL", "", dov{Tipo: gateway.MarcaBolloDigitale, Importo: "2.00", Extra: mbGood}), "", gateway.CodeImportoMarcaBolloNonValida, ""},
		{"marca bollo data missing", dovutiXML("F", goodCF, "", "ALL", "", dov{Tipo: gateway.MarcaBolloDigitale, Importo: "16.00"}), "", gateway.CodeMarcaBolloNonValida, "dati marca da bollo mancanti o non validi"},
		{"marca bollo data on other tipo", dovutiXML("F", goodCF, "", "ALL", "", dov{Extra: mbGood}), "", gateway.CodeMarcaBolloNonValida,
			"dati marca da bollo non supportati su tipo dovuto diverso da marca da bollo"},
		{"dati specifici pattern", dovutiXML("F", goodCF, "", "ALL", "", dov{DSR: "9/ab"}), "", gateway.CodeXMLNonValido, ""}, // the XSD pattern catches it first
		{"amount zero", dovutiXML("F", goodCF, "", "ALL", "", dov{Importo: "0.00"}), "", gateway.CodeXMLNonValido, ""},        // stImportoPositivo first
		{"bilancio", dovutiXML("F", goodCF, "", "ALL", "", dov{Extra: `<bilancio><capitolo><codCapitolo>1</codCapitolo><accertamento><importo>20.00</importo></accertamento></capitolo></bilancio>`}),
			"", gateway.CodeImportoBilancioNonValido, "Importo bilancio non congruente per dovuto con importo [25.00]"},
		{"causale blank", dovutiXML("F", goodCF, "", "ALL", "", dov{Causale: " "}), "", gateway.CodeCausaleNonPresente, "Causale versamento obbligatoria mancante"},
		{"NONE without email", dovutiXML("F", goodCF, "", "ALL", "", dov{}), "NONE", gateway.CodeAnagraficaNonValida,
			"paaSILInviaDovuti: Anagrafica Pagatore non validaemail non valida]"},
		{"NONE bad CAP", dovutiXML("F", goodCF, `<capPagatore>123</capPagatore><nazionePagatore>IT</nazionePagatore>`+goodEmail, "ALL", "", dov{}), "none", gateway.CodeAnagraficaNonValida,
			"paaSILInviaDovuti: Anagrafica Pagatore non validacap non valido]"},
		{"NONE CAP without nation", dovutiXML("F", goodCF, `<capPagatore>30100</capPagatore>`+goodEmail, "ALL", "", dov{}), "NONE", gateway.CodeAnagraficaNonValida,
			"paaSILInviaDovuti: Anagrafica Pagatore non validanazione non valorizzata]"},
		{"NONE junk address", dovutiXML("F", goodCF, `<indirizzoPagatore>***</indirizzoPagatore>`+goodEmail, "ALL", "", dov{}), "NONE", gateway.CodeAnagraficaNonValida,
			"paaSILInviaDovuti: Anagrafica Pagatore non validaindirizzo non valido]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			payload := []byte("%%%")
			if c.doc != "" {
				payload = []byte(b64(c.doc))
			}
			ds, gerr := h.svc.ValidateDovuti(ctx, h.ente, payload, c.show)
			if gerr == nil {
				t.Fatalf("no fault, got %d dovuti", len(ds))
			}
			if gerr.Code != c.code {
				t.Fatalf("code %s (%s), want %s", gerr.Code, gerr.String, c.code)
			}
			if c.faultStr != "" && gerr.String != c.faultStr {
				t.Errorf("faultString %q\nwant        %q", gerr.String, c.faultStr)
			}
		})
	}
}

func TestValidateDovutiOK(t *testing.T) {
	h := newHarness(t, "sqlite")
	ctx := context.Background()
	doc := dovutiXML("F", "ANONIMO", `<provinciaPagatore>ve</provinciaPagatore>`+goodEmail, "BP|PO", "",
		dov{IUD: "A-1", Tipo: "ANON"}, dov{IUD: "A-2", Tipo: "ANON", Importo: "10.50"})
	ds, gerr := h.svc.ValidateDovuti(ctx, h.ente, []byte(b64(b64(doc))), "NONE")
	if gerr != nil {
		t.Fatal(gerr)
	}
	if len(ds) != 2 || ds[0].IUD != "A-1" || ds[1].Amount != 1050 || ds[0].TipoVersamento != "BP|PO" ||
		ds[0].Payer.ID != "ANONIMO" || ds[0].Payer.Province != "VE" || ds[0].IUV != "" || ds[0].Flusso != "_c_x000_ESTERNO-ANONIMO" {
		t.Errorf("dovuti %+v %+v", ds[0], ds[0].Payer)
	}
	// Marca da bollo with its data and the tipo's amount.
	doc = dovutiXML("F", goodCF, "", "ALL", "", dov{IUD: "MB-1", Tipo: gateway.MarcaBolloDigitale, Importo: "16.00", Extra: mbGood})
	if _, gerr := h.svc.ValidateDovuti(ctx, h.ente, []byte(b64(doc)), ""); gerr != nil {
		t.Fatal(gerr)
	}
}

// The XSD catches a bad datiSpecificiRiscossione and a zero amount before
// the business checks; these check the business rules themselves.
func TestCheckDovutoItemAfterSchema(t *testing.T) {
	h := newHarness(t, "sqlite")
	ctx := context.Background()
	tari := &gateway.TipoDovuto{Code: "TARI", Enabled: true}
	base := dovutoItem{IUD: "X-1", Amount: 100, TipoDovuto: "TARI", Causale: "c", DatiSpecifici: "9/0201102IM/"}
	for _, c := range []struct {
		name string
		edit func(*dovutoItem)
		code string
	}{
		{"dati specifici", func(it *dovutoItem) { it.DatiSpecifici = "5/abc" }, gateway.CodeDatiSpecificiNonValido},
		{"amount zero", func(it *dovutoItem) { it.Amount = 0 }, gateway.CodeImportoNonValido},
		{"hash too long", func(it *dovutoItem) {
			it.TipoDovuto, it.Amount = gateway.MarcaBolloDigitale, 1600
			it.MarcaBollo = &marcaBollo{TipoBollo: "01", HashDocumento: strings.Repeat("h", 73), ProvinciaResidenza: "VE"}
		}, gateway.CodeMarcaBolloNonValida},
	} {
		t.Run(c.name, func(t *testing.T) {
			it := base
			c.edit(&it)
			tipo := tari
			if it.TipoDovuto == gateway.MarcaBolloDigitale {
				tipo = &gateway.TipoDovuto{Code: gateway.MarcaBolloDigitale, Enabled: true, FixedAmount: 1600}
			}
			gerr := h.svc.checkDovutoItem(ctx, h.ente, &it, tipo)
			if gerr == nil || gerr.Code != c.code {
				t.Fatalf("got %v, want %s", gerr, c.code)
			}
		})
	}
	if gerr := h.svc.checkDovutoItem(ctx, h.ente, &base, tari); gerr != nil {
		t.Fatal(gerr)
	}
}
