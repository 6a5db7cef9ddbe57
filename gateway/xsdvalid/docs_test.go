package xsdvalid

import (
	"fmt"
	"strings"
)

// Test documents for the SIL Dovuti/Pagati schema. They are written for
// these tests (not copied from reference samples).

const nsEnte = "http://www.regione.veneto.it/schemas/2012/Pagamenti/Ente/"

const soggettoPagatore = `
  <soggettoPagatore>
    <identificativoUnivocoPagatore>
      <tipoIdentificativoUnivoco>F</tipoIdentificativoUnivoco>
      <codiceIdentificativoUnivoco>RSSMRA80A01H501U</codiceIdentificativoUnivoco>
    </identificativoUnivocoPagatore>
    <anagraficaPagatore>Mario Rossi</anagraficaPagatore>
    <indirizzoPagatore>Via Roma</indirizzoPagatore>
    <civicoPagatore>1</civicoPagatore>
    <capPagatore>30100</capPagatore>
    <localitaPagatore>Venezia</localitaPagatore>
    <provinciaPagatore>VE</provinciaPagatore>
    <nazionePagatore>IT</nazionePagatore>
    <e-mailPagatore>mario.rossi@example.it</e-mailPagatore>
  </soggettoPagatore>`

const bilancio = `
    <bilancio>
      <capitolo>
        <codCapitolo>CAP-1</codCapitolo>
        <codUfficio>UFF-9</codUfficio>
        <accertamento>
          <codAccertamento>ACC-1</codAccertamento>
          <importo>100.00</importo>
        </accertamento>
        <accertamento>
          <importo>23.45</importo>
        </accertamento>
      </capitolo>
    </bilancio>`

// versamentoDoc is a typical Versamento payload (~1.5 KB).
var versamentoDoc = `<?xml version="1.0" encoding="UTF-8"?>
<Versamento xmlns="` + nsEnte + `">
  <versioneOggetto>6.0</versioneOggetto>` + soggettoPagatore + `
  <datiVersamento>
    <dataEsecuzionePagamento>2024-05-31</dataEsecuzionePagamento>
    <tipoVersamento>ALL</tipoVersamento>
    <identificativoUnivocoDovuto>DOV-2024-000123</identificativoUnivocoDovuto>
    <importoSingoloVersamento>123.45</importoSingoloVersamento>
    <commissioneCaricoPA>0.00</commissioneCaricoPA>
    <identificativoTipoDovuto>TARI</identificativoTipoDovuto>
    <causaleVersamento>Tassa rifiuti 2024 rata 1</causaleVersamento>
    <datiSpecificiRiscossione>9/0101100IM/</datiSpecificiRiscossione>` + bilancio + `
  </datiVersamento>
  <azione>I</azione>
</Versamento>
`

var versamentoMinimal = `<Versamento xmlns="` + nsEnte + `"><versioneOggetto>6.0</versioneOggetto><datiVersamento><importoSingoloVersamento>0.01</importoSingoloVersamento><identificativoTipoDovuto>T</identificativoTipoDovuto><causaleVersamento>c</causaleVersamento><datiSpecificiRiscossione>0/abc</datiSpecificiRiscossione></datiVersamento><azione>A</azione></Versamento>`

func singoloDovuto(i int) string {
	return fmt.Sprintf(`
    <datiSingoloVersamento>
      <identificativoUnivocoDovuto>DOV-%d</identificativoUnivocoDovuto>
      <importoSingoloVersamento>1%d.00</importoSingoloVersamento>
      <identificativoTipoDovuto>TARI</identificativoTipoDovuto>
      <causaleVersamento>Rata %d</causaleVersamento>
      <datiSpecificiRiscossione>2/SIOPE-%d</datiSpecificiRiscossione>
    </datiSingoloVersamento>`, i, i, i, i)
}

func dovutiDoc(n int) string {
	var b strings.Builder
	b.WriteString(`<pay_i:Dovuti xmlns:pay_i="` + nsEnte + `">
  <pay_i:versioneOggetto>6.0</pay_i:versioneOggetto>` + strings.ReplaceAll(soggettoPagatore, "<", "<pay_i:") + `
  <pay_i:datiVersamento>
    <pay_i:tipoVersamento>ALL</pay_i:tipoVersamento>
    <pay_i:identificativoUnivocoVersamento>RF12345678901234567890</pay_i:identificativoUnivocoVersamento>`)
	for i := 1; i <= n; i++ {
		b.WriteString(strings.ReplaceAll(singoloDovuto(i), "<", "<pay_i:"))
	}
	b.WriteString(`
  </pay_i:datiVersamento>
</pay_i:Dovuti>`)
	return strings.ReplaceAll(b.String(), "<pay_i:/", "</pay_i:")
}

const pagatiHead = `
  <versioneOggetto>6.0</versioneOggetto>
  <dominio>
    <identificativoDominio>80007580279</identificativoDominio>
    <identificativoStazioneRichiedente>80007580279_01</identificativoStazioneRichiedente>
  </dominio>
  <identificativoMessaggioRicevuta>RT-0001</identificativoMessaggioRicevuta>
  <dataOraMessaggioRicevuta>2024-05-31T10:15:30</dataOraMessaggioRicevuta>
  <riferimentoMessaggioRichiesta>RPT-0001</riferimentoMessaggioRichiesta>
  <riferimentoDataRichiesta>2024-05-30</riferimentoDataRichiesta>
  <istitutoAttestante>
    <identificativoUnivocoAttestante>
      <tipoIdentificativoUnivoco>B</tipoIdentificativoUnivoco>
      <codiceIdentificativoUnivoco>UNCRITMM</codiceIdentificativoUnivoco>
    </identificativoUnivocoAttestante>
    <denominazioneAttestante>Banca Esempio</denominazioneAttestante>
  </istitutoAttestante>
  <enteBeneficiario>
    <identificativoUnivocoBeneficiario>
      <tipoIdentificativoUnivoco>G</tipoIdentificativoUnivoco>
      <codiceIdentificativoUnivoco>80007580279</codiceIdentificativoUnivoco>
    </identificativoUnivocoBeneficiario>
    <denominazioneBeneficiario>Comune di Esempio</denominazioneBeneficiario>
  </enteBeneficiario>` + soggettoPagatore

var pagatiDoc = `<Pagati xmlns="` + nsEnte + `">` + pagatiHead + `
  <datiPagamento>
    <codiceEsitoPagamento>0</codiceEsitoPagamento>
    <importoTotalePagato>10.00</importoTotalePagato>
    <identificativoUnivocoVersamento>RF12345678901234567890</identificativoUnivocoVersamento>
    <codiceContestoPagamento>n/a</codiceContestoPagamento>
    <datiSingoloPagamento>
      <identificativoUnivocoDovuto>DOV-1</identificativoUnivocoDovuto>
      <singoloImportoPagato>10.00</singoloImportoPagato>
      <esitoSingoloPagamento>ESEGUITO</esitoSingoloPagamento>
      <dataEsitoSingoloPagamento>2024-05-31</dataEsitoSingoloPagamento>
      <identificativoUnivocoRiscossione>IUR-1</identificativoUnivocoRiscossione>
      <causaleVersamento>Rata 1</causaleVersamento>
      <datiSpecificiRiscossione>9/abc</datiSpecificiRiscossione>
    </datiSingoloPagamento>
  </datiPagamento>
</Pagati>`

var pagatiConRicevutaDoc = `<PagatiConRicevuta xmlns="` + nsEnte + `">` + pagatiHead + `
  <datiPagamento>
    <codiceEsitoPagamento>0</codiceEsitoPagamento>
    <importoTotalePagato>10.00</importoTotalePagato>
    <identificativoUnivocoVersamento>RF12345678901234567890</identificativoUnivocoVersamento>
    <codiceContestoPagamento>n/a</codiceContestoPagamento>
    <datiSingoloPagamento>
      <identificativoUnivocoDovuto>DOV-1</identificativoUnivocoDovuto>
      <singoloImportoPagato>10.00</singoloImportoPagato>
      <dataEsitoSingoloPagamento>2024-05-31</dataEsitoSingoloPagamento>
      <identificativoUnivocoRiscossione>IUR-1</identificativoUnivocoRiscossione>
      <causaleVersamento>Rata 1</causaleVersamento>
      <datiSpecificiRiscossione>9/abc</datiSpecificiRiscossione>
      <indiceDatiSingoloPagamento>1</indiceDatiSingoloPagamento>
      <commissioniApplicatePSP>0.50</commissioniApplicatePSP>
      <allegatoRicevuta>
        <tipoAllegatoRicevuta>ES</tipoAllegatoRicevuta>
        <testoAllegato>PFJUPmVzZW1waW88L1JUPg==</testoAllegato>
      </allegatoRicevuta>
    </datiSingoloPagamento>
  </datiPagamento>
</PagatiConRicevuta>`

var dovutiEntiSecondariDoc = `<DovutiEntiSecondari xmlns="` + nsEnte + `">
  <versioneOggetto>6.0</versioneOggetto>
  <datiVersamentoEntiSecondari>
    <codiceFiscaleBeneficiario>80007580279</codiceFiscaleBeneficiario>
    <denominazioneBeneficiario>Ente Secondario</denominazioneBeneficiario>
    <ibanAccreditoBeneficiario>IT60X0542811101000000123456</ibanAccreditoBeneficiario>
    <causaleVersamento>Quota ente secondario</causaleVersamento>
    <datiSpecificiRiscossione>9/1234567AB/codice</datiSpecificiRiscossione>
    <importoSingoloVersamento>5.00</importoSingoloVersamento>
  </datiVersamentoEntiSecondari>
</DovutiEntiSecondari>`

// mut replaces the first occurrence of old in doc; it panics when old is
// absent so that a stale mutation cannot silently test the base document.
func mut(doc, old, new string) string {
	if !strings.Contains(doc, old) {
		panic("mutation target not found: " + old)
	}
	return strings.Replace(doc, old, new, 1)
}

type docCase struct {
	name  string
	doc   string
	valid bool
}

func dovutiCases() []docCase {
	v := versamentoDoc
	long := strings.Repeat("x", 1025)
	six := dovutiDoc(6)
	return []docCase{
		{"versamento", v, true},
		{"versamento minimal", versamentoMinimal, true},
		{"versamento without bilancio", mut(v, bilancio, ""), true},
		{"versamento without soggetto", mut(v, soggettoPagatore, ""), true},
		{"dovuti 1", dovutiDoc(1), true},
		{"dovuti 5", dovutiDoc(5), true},
		{"dovuti marca bollo", mut(dovutiDoc(1), "</pay_i:datiSpecificiRiscossione>", "</pay_i:datiSpecificiRiscossione><pay_i:datiMarcaBolloDigitale><pay_i:tipoBollo>01</pay_i:tipoBollo><pay_i:hashDocumento>aGFzaA==</pay_i:hashDocumento><pay_i:provinciaResidenza>VE</pay_i:provinciaResidenza></pay_i:datiMarcaBolloDigitale>"), true},
		{"pagati", pagatiDoc, true},
		{"pagati no singolo", mut(pagatiDoc, pagatiDoc[strings.Index(pagatiDoc, "<datiSingoloPagamento>"):strings.Index(pagatiDoc, "</datiSingoloPagamento>")+len("</datiSingoloPagamento>")], ""), true},
		{"pagati con ricevuta", pagatiConRicevutaDoc, true},
		{"dovuti enti secondari", dovutiEntiSecondariDoc, true},
		{"bilancio root", `<bilancio xmlns="` + nsEnte + `"><capitolo><codCapitolo>C</codCapitolo><accertamento><importo>1.00</importo></accertamento></capitolo></bilancio>`, true},
		{"amount collapsed whitespace", mut(v, "<importoSingoloVersamento>123.45<", "<importoSingoloVersamento>\n  123.45  <"), true},
		{"comments and PI", mut(v, "<azione>", "<!-- note --><?app x?><azione>"), true},
		{"latin1 encoding", `<?xml version="1.0" encoding="ISO-8859-1"?>` + mut(versamentoMinimal, ">c<", ">Citt\xe0 di Pi\xf9<"), true},
		{"cdata causale", mut(v, "Tassa rifiuti 2024 rata 1", "<![CDATA[Tassa <rifiuti> & co]]>"), true},
		{"xsi schemaLocation", mut(v, `<Versamento xmlns=`, `<Versamento xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="`+nsEnte+` x.xsd" xmlns=`), true},
		{"datetime tz fraction", mut(pagatiDoc, "2024-05-31T10:15:30", "2024-05-31T10:15:30.123+02:00"), true},
		{"datetime Z", mut(pagatiDoc, "2024-05-31T10:15:30", "2024-05-31T10:15:30Z"), true},
		{"email specials", mut(v, "mario.rossi@example.it", "a.b+c_d!#$%&amp;'*/=?`{|}~^-@ex-ample.it"), true},
		{"leap day", mut(v, "2024-05-31", "2024-02-29"), true},
		{"amount leading zeros", mut(v, ">123.45<", ">0123.45<"), true},
		{"base64 with newlines", mut(pagatiConRicevutaDoc, "PFJUPmVzZW1waW88L1JUPg==", "PFJUPmVz\n  ZW1waW88\n  L1JUPg=="), true},
		{"mixed prefixes", strings.Replace(dovutiDoc(2), `xmlns:pay_i="`+nsEnte+`"`, `xmlns:pay_i="`+nsEnte+`" xmlns="`+nsEnte+`"`, 1), true},
		{"indice 5", mut(pagatiConRicevutaDoc, "<indiceDatiSingoloPagamento>1<", "<indiceDatiSingoloPagamento>5<"), true},
		{"indice +3", mut(pagatiConRicevutaDoc, "<indiceDatiSingoloPagamento>1<", "<indiceDatiSingoloPagamento>+3<"), true},

		{"missing azione", mut(v, "<azione>I</azione>", ""), false},
		{"wrong order", mut(mut(v, "<azione>I</azione>", ""), "<datiVersamento>", "<azione>I</azione><datiVersamento>"), false},
		{"unknown element", mut(v, "<azione>", "<foo>1</foo><azione>"), false},
		{"amount 10.5", mut(v, ">123.45<", ">10.5<"), false},
		{"amount 0.00 positivo", mut(v, ">123.45<", ">0.00<"), false},
		{"amount over max", mut(v, ">123.45<", ">1000000000.00<"), false},
		{"amount comma", mut(v, ">123.45<", ">123,45<"), false},
		{"amount plus sign", mut(v, ">123.45<", ">+123.45<"), false},
		{"amount negative importo", mut(v, ">0.00<", ">-1.00<"), false},
		{"causale too long", mut(v, "Tassa rifiuti 2024 rata 1", long), false},
		{"empty versioneOggetto", mut(v, ">6.0<", "><"), false},
		{"bad enum tipo identificativo", mut(v, ">F<", ">X<"), false},
		{"bad pattern dsr", mut(v, "9/0101100IM/", "5/0101100IM/"), false},
		{"dsr with space", mut(v, "9/0101100IM/", "9/0101 100IM"), false},
		{"dsr too short", mut(v, "9/0101100IM/", "9/ab"), false},
		{"unqualified child", mut(v, "<azione>I</azione>", `<azione xmlns="">I</azione>`), false},
		{"wrong root", mut(mut(v, "<Versamento ", "<Versamenti "), "</Versamento>", "</Versamenti>"), false},
		{"root no namespace", `<Versamento><versioneOggetto>6.0</versioneOggetto></Versamento>`, false},
		{"text in element-only", mut(v, "<azione>", "testo<azione>"), false},
		{"six datiSingoloVersamento", six, false},
		{"dovuti no singolo", mut(dovutiDoc(1), strings.ReplaceAll(strings.ReplaceAll(singoloDovuto(1), "<", "<pay_i:"), "<pay_i:/", "</pay_i:"), ""), false},
		{"bad date", mut(v, "2024-05-31", "2024-02-30"), false},
		{"bad date non leap", mut(v, "2024-05-31", "2023-02-29"), false},
		{"bad date format", mut(v, "2024-05-31", "31/05/2024"), false},
		{"year zero", mut(v, "2024-05-31", "0000-05-31"), false},
		{"date with time", mut(v, "2024-05-31", "2024-05-31T00:00:00"), false},
		{"datetime without time", mut(pagatiDoc, "2024-05-31T10:15:30", "2024-05-31"), false},
		{"datetime bad tz", mut(pagatiDoc, "2024-05-31T10:15:30", "2024-05-31T10:15:30+15:00"), false},
		{"datetime hour 25", mut(pagatiDoc, "2024-05-31T10:15:30", "2024-05-31T25:15:30"), false},
		{"unknown attribute", mut(v, "<azione>", `<azione code="1">`), false},
		{"unknown attribute on root", mut(v, "<Versamento ", `<Versamento id="1" `), false},
		{"xsi nil not nillable", mut(v, "<azione>I</azione>", `<azione xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>`), false},
		{"esito 5", mut(pagatiDoc, "<codiceEsitoPagamento>0<", "<codiceEsitoPagamento>5<"), false},
		{"base64 invalid", mut(pagatiConRicevutaDoc, "PFJUPmVzZW1waW88L1JUPg==", "abc"), false},
		{"indice 6", mut(pagatiConRicevutaDoc, "<indiceDatiSingoloPagamento>1<", "<indiceDatiSingoloPagamento>6<"), false},
		{"indice 1.0", mut(pagatiConRicevutaDoc, "<indiceDatiSingoloPagamento>1<", "<indiceDatiSingoloPagamento>1.0<"), false},
		{"allegato bad enum", mut(pagatiConRicevutaDoc, ">ES<", ">XX<"), false},
		{"email invalid", mut(v, "mario.rossi@example.it", "mario rossi@example"), false},
		{"nazione lowercase", mut(v, ">IT<", ">it<"), false},
		{"enti secondari bad dsr", mut(dovutiEntiSecondariDoc, "9/1234567AB/codice", "9/12345/x"), false},
		{"enti secondari missing iban", mut(dovutiEntiSecondariDoc, "<ibanAccreditoBeneficiario>IT60X0542811101000000123456</ibanAccreditoBeneficiario>", ""), false},
		{"duplicate versioneOggetto", mut(v, "<versioneOggetto>6.0</versioneOggetto>", "<versioneOggetto>6.0</versioneOggetto><versioneOggetto>6.0</versioneOggetto>"), false},
		{"mismatched tag", mut(v, "</azione>", "</azion>"), false},
		{"capitolo without accertamento", `<bilancio xmlns="` + nsEnte + `"><capitolo><codCapitolo>C</codCapitolo></capitolo></bilancio>`, false},
		{"tipo bollo 02", mut(dovutiDoc(1), "</pay_i:datiSpecificiRiscossione>", "</pay_i:datiSpecificiRiscossione><pay_i:datiMarcaBolloDigitale><pay_i:tipoBollo>02</pay_i:tipoBollo><pay_i:hashDocumento>aGFzaA==</pay_i:hashDocumento><pay_i:provinciaResidenza>VE</pay_i:provinciaResidenza></pay_i:datiMarcaBolloDigitale>"), false},
		{"child in simple element", mut(v, "<azione>I</azione>", "<azione><x/></azione>"), false},
		{"extra root", v + "<azione>I</azione>", false},
		{"text after root", v + "tail", false},
		{"undefined prefix", mut(v, "<azione>I</azione>", "<p:azione>I</p:azione>"), false},
		{"duplicate attribute", mut(v, "<Versamento ", `<Versamento xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="a" xsi:schemaLocation="b" `), false},
		{"empty document", ``, false},
		{"azione too long", mut(v, "<azione>I<", "<azione>II<"), false},
	}
}
