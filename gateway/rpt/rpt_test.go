package rpt

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

func TestParseRPTSamples(t *testing.T) {
	for _, c := range []struct {
		sample string
		items  int
		total  gateway.Cents
		ccp    string
	}{
		{"pagopa-nodo-dei-pagamenti-test/RPT_T003.xml", 1, 1000, testCCP},
		{"pagopa-nodo-dei-pagamenti-test/RPT1_cart5_T001.xml", 5, 750, "CCD01"},
		{"pagopa-nodo-dei-pagamenti-test/RPT1_multibeneficiario.xml", 1, 150, testCCP},
		{"pagopa-nodo-dei-pagamenti-test/RPT2_multibeneficiario.xml", 1, 0, testCCP},
		{"wisp-converter/rpt.xml", 1, 1050, testCCP},
	} {
		t.Run(c.sample, func(t *testing.T) {
			r := mustParseRPT(t, sample(t, c.sample))
			if len(r.Items) != c.items || r.Dominio != testDominio || r.IUV != testIUV || r.CCP != c.ccp {
				t.Errorf("items %d dominio %q IUV %q CCP %q", len(r.Items), r.Dominio, r.IUV, r.CCP)
			}
			if c.total != 0 && r.Total() != c.total {
				t.Errorf("total %s, want %s", r.Total(), c.total)
			}
			if got := r.DataOra.In(gateway.Rome).Format(time.DateTime); got != "2026-11-23 17:13:30" {
				t.Errorf("dataOra read as %s", got)
			}
			// What was read builds again, to the same document.
			again := mustParseRPT(t, mustBuild(t, r))
			if !reflect.DeepEqual(mustBuild(t, again), mustBuild(t, r)) {
				t.Error("Build is not stable over ParseRPT")
			}
		})
	}
}

func TestParseRPTBollo(t *testing.T) {
	doc := sample(t, "wisp-converter/rptBollo.xml")
	// The sample uses one {amount} for the total and both versamenti.
	_, err := ParseRPT(doc)
	var inv *InvalidError
	if !errors.As(err, &inv) || inv.Field != "importoTotaleDaVersare" {
		t.Fatalf("want an importoTotaleDaVersare InvalidError, got %v", err)
	}
	doc = []byte(strings.Replace(string(doc), "<importoTotaleDaVersare>10.50<", "<importoTotaleDaVersare>21.00<", 1))
	r := mustParseRPT(t, doc)
	var stamps int
	for _, it := range r.Items {
		if it.Bollo != nil {
			stamps++
			if it.Bollo.Tipo != "01" || len(it.Bollo.Hash) == 0 || it.Bollo.Provincia == "" {
				t.Errorf("stamp lost: %+v", it.Bollo)
			}
		}
	}
	if stamps != 1 {
		t.Errorf("%d stamps", stamps)
	}
	validateBoth(t, mustBuild(t, r))
}

func TestBuildValidatesOnBothSchemas(t *testing.T) {
	r := testRequest()
	doc := mustBuild(t, r)
	validateBoth(t, doc)
	if strings.HasPrefix(string(doc), "<?xml") {
		t.Error("the node's RPT samples carry no XML declaration")
	}
	one := testRequest()
	one.Versante, one.Stazione, one.AutenticazioneSoggetto = nil, "", ""
	one.Items = one.Items[:1]
	validateBoth(t, mustBuild(t, one))
	five := testRequest()
	for len(five.Items) < MaxItems {
		five.Items = append(five.Items, five.Items[0])
	}
	validateBoth(t, mustBuild(t, five))
}

func TestBuildParseRoundTrip(t *testing.T) {
	r := testRequest()
	got := mustParseRPT(t, mustBuild(t, r))
	want := *r
	want.Versione, want.TipoVersamento = Versione, "BBT"
	want.Items = append([]Item(nil), r.Items...)
	for i := range want.Items {
		want.Items[i].Causale = CausaleVersamento(r.IUV, r.Items[i].Amount, r.Items[i].Causale)
	}
	if !got.DataOra.Equal(want.DataOra) || !got.DataEsecuzione.Equal(want.DataEsecuzione) {
		t.Errorf("dates: %v %v", got.DataOra, got.DataEsecuzione)
	}
	got.DataOra, want.DataOra = time.Time{}, time.Time{}
	got.DataEsecuzione, want.DataEsecuzione = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, &want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, &want)
	}
	if got.Items[0].Causale != "/RFB/01000000000000144/10.50/TXT/TARI 2026 rata 1" {
		t.Errorf("causale %q", got.Items[0].Causale)
	}
	if got.Total() != 1250 {
		t.Errorf("total %s", got.Total())
	}
}

func TestBuildDefaultsAndZone(t *testing.T) {
	r := testRequest()
	r.AutenticazioneSoggetto, r.TipoVersamento = "", ""
	// 16:13:30 UTC is 17:13:30 in Rome (CET): the RPT carries Rome time.
	r.DataOra = time.Date(2026, 11, 23, 16, 13, 30, 0, time.UTC)
	s := string(mustBuild(t, r))
	for _, want := range []string{
		"<autenticazioneSoggetto>N/A</autenticazioneSoggetto>",
		"<tipoVersamento>BBT</tipoVersamento>",
		"<dataOraMessaggioRichiesta>2026-11-23T17:13:30</dataOraMessaggioRichiesta>",
		"<importoTotaleDaVersare>12.50</importoTotaleDaVersare>",
		"<versioneOggetto>6.2.0</versioneOggetto>",
		`<RPT xmlns="` + Namespace + `">`,
	} {
		if !contains(s, want) {
			t.Errorf("missing %s in\n%s", want, s)
		}
	}
	if r.AutenticazioneSoggetto != "" || r.Items[0].Causale != "TARI 2026 rata 1" {
		t.Error("Build changed its argument")
	}
}

func TestBuildRefuses(t *testing.T) {
	for _, c := range []struct {
		name   string
		mutate func(*Request)
		field  string // InvalidError field; "" means a SchemaError
	}{
		{"no items", func(r *Request) { r.Items = nil }, "datiSingoloVersamento"},
		{"six items", func(r *Request) {
			for len(r.Items) < 6 {
				r.Items = append(r.Items, r.Items[0])
			}
		}, "datiSingoloVersamento"},
		{"zero amount", func(r *Request) { r.Items[1].Amount = 0 }, "importoSingoloVersamento"},
		{"negative amount", func(r *Request) { r.Items[0].Amount = -100 }, "importoSingoloVersamento"},
		{"total too large", func(r *Request) {
			r.Items[0].Amount, r.Items[1].Amount = gateway.MaxAmount, 1
		}, "importoTotaleDaVersare"},
		{"empty IUV", func(r *Request) { r.IUV = "" }, "identificativoUnivocoVersamento"},
		{"IUV of 36", func(r *Request) { r.IUV = strings.Repeat("1", 36) }, "identificativoUnivocoVersamento"},
		{"empty CCP", func(r *Request) { r.CCP = "" }, "codiceContestoPagamento"},
		{"CCP of 36", func(r *Request) { r.CCP = strings.Repeat("c", 36) }, "codiceContestoPagamento"},
		{"no message id", func(r *Request) { r.IdentificativoMessaggioRichiesta = "" }, "identificativoMessaggioRichiesta"},
		{"no date", func(r *Request) { r.DataOra = time.Time{} }, "dataOraMessaggioRichiesta"},
		{"no execution date", func(r *Request) { r.DataEsecuzione = time.Time{} }, "dataEsecuzionePagamento"},
		{"pagatore tipo", func(r *Request) { r.Pagatore.Tipo = "X" }, "soggettoPagatore"},
		{"tipoVersamento", func(r *Request) { r.TipoVersamento = "CASH" }, "tipoVersamento"},
		{"AD without ibanAddebito", func(r *Request) { r.TipoVersamento = "AD" }, "ibanAddebito"},
		{"no ibanAccredito", func(r *Request) { r.Items[0].IBANAccredito = "" }, "ibanAccredito"},
		{"bad IBAN", func(r *Request) { r.Items[0].IBANAccredito = "IT-not-an-iban" }, ""},
		{"bad datiSpecifici", func(r *Request) { r.Items[0].DatiSpecificiRiscossione = "5/x" }, ""},
		{"bad e-mail", func(r *Request) { r.Pagatore.Email = "mario at example" }, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := testRequest()
			c.mutate(r)
			_, err := Build(r)
			var inv *InvalidError
			var se *SchemaError
			switch {
			case c.field == "" && !errors.As(err, &se):
				t.Fatalf("want SchemaError, got %v", err)
			case c.field != "" && (!errors.As(err, &inv) || inv.Field != c.field):
				t.Fatalf("want InvalidError on %s, got %v", c.field, err)
			}
		})
	}
}

func TestCausaleVersamento(t *testing.T) {
	long := strings.Repeat("è", 200)
	for _, c := range []struct {
		iuv, text string
		amount    gateway.Cents
		want      string
	}{
		{"01000000000000144", "TARI", 1050, "/RFB/01000000000000144/10.50/TXT/TARI"},
		{"01000000000000144", "  ", 5, "/RFB/01000000000000144/0.05"},
		{"RF18539007547034", "Multa", 10000, "/RFS/RF18539007547034/100.00/TXT/Multa"},
		{"RF19539007547034", "Multa", 10000, "/RFB/RF19539007547034/100.00/TXT/Multa"}, // bad check digits
		{"X", "/RFB/X/1.00/TXT/già fatta", 100, "/RFB/X/1.00/TXT/già fatta"},
		{"X", "a\n\tb", 100, "/RFB/X/1.00/TXT/a b"},
	} {
		if got := CausaleVersamento(c.iuv, c.amount, c.text); got != c.want {
			t.Errorf("%q %q: %q, want %q", c.iuv, c.text, got, c.want)
		}
	}
	got := CausaleVersamento(testIUV, 100, long)
	if n := len([]rune(got)); n != MaxCausale || !strings.HasPrefix(got, "/RFB/"+testIUV+"/1.00/TXT/èè") {
		t.Errorf("%d characters: %q", n, got)
	}
}

func TestParseRPTRefuses(t *testing.T) {
	good := string(mustBuild(t, testRequest()))
	for _, c := range []struct{ name, doc, want string }{
		{"doctype", `<!DOCTYPE RPT [<!ENTITY x "y">]>` + good, "DOCTYPE"},
		{"not xml", "garbage", "RPT not valid"},
		{"an RT", strings.ReplaceAll(good, "RPT", "RT"), "element RT"},
		{"missing iuv", strings.Replace(good, "<identificativoUnivocoVersamento>"+testIUV+"</identificativoUnivocoVersamento>", "", 1), "RPT not valid"},
		{"wrong namespace", strings.Replace(good, Namespace, "urn:other", 1), "RPT not valid"},
		{"float amount", strings.Replace(good, "<importoSingoloVersamento>2.00<", "<importoSingoloVersamento>2.0<", 1), "RPT not valid"},
		{"total mismatch", strings.Replace(good, "<importoTotaleDaVersare>12.50<", "<importoTotaleDaVersare>12.00<", 1), "importoTotaleDaVersare"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseRPT([]byte(c.doc))
			if err == nil || !contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error mentioning %q", err, c.want)
			}
		})
	}
	// An RT is not an RPT even when valid.
	rt, err := BuildRT(mustParseRPT(t, []byte(good)), Outcome{At: testNow.Now(), MessageID: "m"})
	if err != nil {
		t.Fatal(err)
	}
	var se *SchemaError
	if _, err := ParseRPT(rt); !errors.As(err, &se) || !contains(err.Error(), "want RPT") {
		t.Errorf("RT parsed as RPT: %v", err)
	}
}

func TestNewMessageID(t *testing.T) {
	a, b := NewMessageID(), NewMessageID()
	if len(a) != 32 || a == b {
		t.Errorf("%q %q", a, b)
	}
}
