package sil

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/generated/wire"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

const enteNS = "http://www.regione.veneto.it/pagamenti/ente/"

// payloadSchemas: the project's copy and, when present, MyPay's reference
// one. libxml2 rejects the reference's `\/` regex escape, so the test
// validates against a temporary copy with that escape undone.
func payloadSchemas(t *testing.T) []string {
	s := []string{xsdtest.Path("PagInf_Dovuti_Pagati_6_2_0.xsd")}
	if p := xsdtest.RefPath("mypay/wsdl/pa/PagInf_Dovuti_Pagati_6_2_0.xsd"); p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		fixed := filepath.Join(t.TempDir(), "ref.xsd")
		if err := os.WriteFile(fixed, bytes.ReplaceAll(b, []byte(`\/`), []byte(`/`)), 0o600); err != nil {
			t.Fatal(err)
		}
		s = append(s, fixed)
	}
	return s
}

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := xml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte(xml.Header), b...)
}

func soggetto() CtSoggettoPagatore {
	return CtSoggettoPagatore{
		IdentificativoUnivocoPagatore: CtIdentificativoUnivocoPersonaFG{
			TipoIdentificativoUnivoco:   StTipoIdentificativoUnivocoPersFGF,
			CodiceIdentificativoUnivoco: "RSSMRA80A01H501U",
		},
		AnagraficaPagatore: "Mario Rossi",
		EmailPagatore:      "mario@example.org",
	}
}

func TestDovutiRoundTrip(t *testing.T) {
	comm := wire.Amount(0)
	in := Dovuti{CtDovuti: CtDovuti{
		VersioneOggetto:  "6.2",
		SoggettoPagatore: soggetto(),
		DatiVersamento: CtDatiVersamentoDovuti{
			TipoVersamento: "ALL",
			DatiSingoloVersamento: []CtDatiSingoloVersamentoDovuti{
				{
					IdentificativoUnivocoDovuto: "D1",
					ImportoSingoloVersamento:    wire.AmountOf(1000010_50),
					CommissioneCaricoPA:         &comm,
					IdentificativoTipoDovuto:    "TARI",
					CausaleVersamento:           "Tassa rifiuti",
					DatiSpecificiRiscossione:    "9/0101100IM/",
					Bilancio: &CtBilancio{Capitolo: []CtCapitolo{{
						CodCapitolo:  "C1",
						Accertamento: []CtAccertamento{{Importo: wire.AmountOf(10_50)}, {CodAccertamento: "A2", Importo: wire.AmountOf(1000000_00)}},
					}}},
				},
				{
					IdentificativoUnivocoDovuto: "D2",
					ImportoSingoloVersamento:    wire.AmountOf(1),
					IdentificativoTipoDovuto:    "TARI",
					CausaleVersamento:           "Seconda rata",
					DatiSpecificiRiscossione:    "9/0101100IM/",
				},
			},
		},
	}}
	doc := marshal(t, in)
	for _, s := range payloadSchemas(t) {
		xsdtest.Validate(t, s, doc)
	}
	for _, want := range []string{"1000010.50", "0.00", "10.50", "0.01", "1000000.00"} {
		if !bytes.Contains(doc, []byte(">"+want+"<")) {
			t.Errorf("amount %s not written as is:\n%s", want, doc)
		}
	}
	var out Dovuti
	if err := xml.Unmarshal(doc, &out); err != nil {
		t.Fatal(err)
	}
	in.XMLName = out.XMLName
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip changed the document:\n in %+v\nout %+v", in, out)
	}
	if got := out.DatiVersamento.DatiSingoloVersamento[0].ImportoSingoloVersamento.Cents(); got != gateway.Cents(100001050) {
		t.Errorf("amount = %d", got)
	}
}

func TestVersamentoRoundTrip(t *testing.T) {
	s := soggetto()
	in := Versamento{CtVersamento: CtVersamento{
		VersioneOggetto:  "6.2",
		SoggettoPagatore: &s,
		DatiVersamento: CtDatiVersamento{
			DataEsecuzionePagamento:     "2026-11-30",
			IdentificativoUnivocoDovuto: "D1",
			ImportoSingoloVersamento:    wire.AmountOf(12_00),
			IdentificativoTipoDovuto:    "TARI",
			CausaleVersamento:           "Tassa rifiuti",
			DatiSpecificiRiscossione:    "9/0101100IM/",
		},
		Azione: "I",
	}}
	doc := marshal(t, in)
	for _, sc := range payloadSchemas(t) {
		xsdtest.Validate(t, sc, doc)
	}
	var out Versamento
	if err := xml.Unmarshal(doc, &out); err != nil {
		t.Fatal(err)
	}
	in.XMLName = out.XMLName
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip changed the document:\n in %+v\nout %+v", in, out)
	}
}

func TestPagatiConRicevutaRoundTrip(t *testing.T) {
	comm := wire.AmountOf(1_50)
	idx := StIndice(1)
	in := PagatiConRicevuta{CtPagatiConRicevuta: CtPagatiConRicevuta{
		VersioneOggetto:                 "6.2",
		Dominio:                         CtDominio{IdentificativoDominio: "80007580279"},
		IdentificativoMessaggioRicevuta: "R1",
		DataOraMessaggioRicevuta:        "2026-11-23T17:13:30",
		RiferimentoMessaggioRichiesta:   "Q1",
		RiferimentoDataRichiesta:        "2026-11-23",
		IstitutoAttestante: CtIstitutoAttestante{
			IdentificativoUnivocoAttestante: CtIdentificativoUnivoco{TipoIdentificativoUnivoco: StTipoIdentificativoUnivocoB, CodiceIdentificativoUnivoco: "ABI03069"},
			DenominazioneAttestante:         "Banca",
		},
		EnteBeneficiario: CtEnteBeneficiario{
			IdentificativoUnivocoBeneficiario: CtIdentificativoUnivocoPersonaG{TipoIdentificativoUnivoco: StTipoIdentificativoUnivocoPersGG, CodiceIdentificativoUnivoco: "80007580279"},
			DenominazioneBeneficiario:         "Comune",
		},
		SoggettoPagatore: soggetto(),
		DatiPagamento: CtDatiVersamentoPagatiConRicevuta{
			CodiceEsitoPagamento:            StCodiceEsitoPagamento0,
			ImportoTotalePagato:             wire.AmountOf(12_00),
			IdentificativoUnivocoVersamento: "RF12345",
			CodiceContestoPagamento:         "n/a",
			DatiSingoloPagamento: []CtDatiSingoloPagamentoPagatiConRicevuta{{
				IdentificativoUnivocoDovuto:      "D1",
				SingoloImportoPagato:             wire.AmountOf(12_00),
				DataEsitoSingoloPagamento:        "2026-11-23",
				IdentificativoUnivocoRiscossione: "RIS1",
				CausaleVersamento:                "Tassa rifiuti",
				DatiSpecificiRiscossione:         "9/0101100IM/",
				IndiceDatiSingoloPagamento:       &idx,
				CommissioniApplicatePSP:          &comm,
				AllegatoRicevuta:                 &CtAllegatoRicevuta{TipoAllegatoRicevuta: StTipoAllegatoRicevutaES, TestoAllegato: wire.Base64("<RT/>")},
			}},
		},
	}}
	doc := marshal(t, in)
	for _, sc := range payloadSchemas(t) {
		xsdtest.Validate(t, sc, doc)
	}
	if !bytes.Contains(doc, []byte(">PFJULz4=<")) {
		t.Errorf("allegato not base64-coded:\n%s", doc)
	}
	var out PagatiConRicevuta
	if err := xml.Unmarshal(doc, &out); err != nil {
		t.Fatal(err)
	}
	in.XMLName = out.XMLName
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip changed the document:\n in %+v\nout %+v", in, out)
	}
}

// The SOAP layer writes bodies under a prefixed root; children must stay
// unqualified and the fault must come first.
func TestImportaDovutoRispostaPrefixedRoot(t *testing.T) {
	cases := map[string]PaaSILImportaDovutoRisposta{
		"ok": {Esito: "OK", IdentificativoUnivocoVersamento: "RF23000000000000000001234"},
		"fault": {Risposta: Risposta{Fault: &FaultBean{
			FaultCode: gateway.CodeIUDDuplicato, FaultString: "duplicato", Id: "R_VE",
		}}, Esito: "KO"},
	}
	for name, v := range cases {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			enc := xml.NewEncoder(&b)
			start := xml.StartElement{
				Name: xml.Name{Local: "ppt:paaSILImportaDovutoRisposta"},
				Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns:ppt"}, Value: enteNS}},
			}
			if err := enc.EncodeElement(v, start); err != nil {
				t.Fatal(err)
			}
			doc := b.Bytes()
			xsdtest.Validate(t, xsdtest.Path("pa-per-ente-types.xsd"), doc)
			if !strings.HasPrefix(b.String(), "<ppt:paaSILImportaDovutoRisposta") {
				t.Errorf("root not as given: %s", doc)
			}
			// Plain xml.Marshal must be just as valid (wire.PrefixRoot).
			plain := marshal(t, v)
			xsdtest.Validate(t, xsdtest.Path("pa-per-ente-types.xsd"), plain)
			var back PaaSILImportaDovutoRisposta
			if err := xml.Unmarshal(doc, &back); err != nil {
				t.Fatal(err)
			}
			v.XMLName = back.XMLName
			if !reflect.DeepEqual(v, back) {
				t.Errorf("decoded %+v, want %+v", back, v)
			}
		})
	}
}
