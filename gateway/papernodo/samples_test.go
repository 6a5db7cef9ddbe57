package papernodo

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

// sample reads a file under the reference pagopa/samples, skipping the
// test when the reference tree is absent.
func sample(t *testing.T, rel string) []byte {
	t.Helper()
	p := xsdtest.RefPath("pagopa/samples/" + rel)
	if p == "" {
		t.Skipf("reference sample %s not available", rel)
	}
	b, err := os.ReadFile(p)
	must(t, err)
	return b
}

// fill replaces the node test suite's placeholders.
func fill(b []byte, iuvCode, ccp string) []byte {
	for _, r := range []struct{ re, with string }{
		{`#creditor_institution_code#`, testDominio},
		{`#id_station#`, testStazione},
		{`#timedate#`, "2026-11-23T17:13:30"},
		{`#date#`, "2026-11-23"},
		{`#IUV#|\$IUV`, iuvCode},
		{`#CCP#|\$CCP`, ccp},
	} {
		b = regexp.MustCompile(r.re).ReplaceAll(b, []byte(r.with))
	}
	return b
}

// shape lists the elements of doc's first Body child as {ns}path, in
// document order, text ignored.
func shape(t *testing.T, doc []byte) []string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	var path, out []string
	inBody := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		must(t, err)
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Local == "Body" && tok.Name.Space == "http://schemas.xmlsoap.org/soap/envelope/" {
				inBody = true
				continue
			}
			if inBody {
				path = append(path, "{"+tok.Name.Space+"}"+tok.Name.Local)
				out = append(out, strings.Join(path, "/"))
			}
		case xml.EndElement:
			if tok.Name.Local == "Body" {
				inBody = false
			} else if inBody {
				path = path[:len(path)-1]
			}
		}
	}
}

// Ponte's answers have the reference samples' shape, element by element;
// Ponte only adds the optional description to a fault.
func TestReferenceAnswerShape(t *testing.T) {
	dup := sample(t, "pagopa-nodo-dei-pagamenti-test/paaInviaRTRisposta_KO_PAA_RT_DUPLICATA_T003.xml")
	ok := sample(t, "pagopa-nodo-dei-pagamenti-test/paaInviaRTRisposta_OK.xml")
	// The samples themselves pass the schemas the answers are checked with.
	for _, s := range [][]byte{dup, ok} {
		// The prefix ws is declared on the sample's Envelope.
		el := bytes.Replace(bodyRe2.FindSubmatch(s)[1], []byte("<ws:paaInviaRTRisposta>"),
			[]byte(`<ws:paaInviaRTRisposta xmlns:ws="`+NS+`">`), 1)
		validateBoth(t, el)
	}

	h := newHarness(t, "sqlite")
	sp := h.newSentCart(1000)
	env := envelope(sp.head(), ptr(""), sp.rt(t, 0))
	okAnswer := h.send(env)
	dupAnswer := h.send(env)

	if got, want := shape(t, okAnswer.Raw), shape(t, ok); !slices.Equal(got, want) {
		t.Errorf("OK answer shape\n got %q\nwant %q", got, want)
	}
	got := slices.DeleteFunc(shape(t, dupAnswer.Raw), func(p string) bool { return strings.HasSuffix(p, "/{}description") })
	if want := shape(t, dup); !slices.Equal(got, want) {
		t.Errorf("PAA_RT_DUPLICATA answer shape\n got %q\nwant %q", got, want)
	}
	// Values as the sample has them, id being the EC's dominio.
	f := dupAnswer.Resp.PaaInviaRTRisposta.Fault
	if f.FaultCode != "PAA_RT_DUPLICATA" || f.Id != testDominio || dupAnswer.esito() != "KO" {
		t.Errorf("fault %+v", f)
	}
	// Fault before esito, children unqualified, as the sample writes them.
	if !regexp.MustCompile(`<paaInviaRTRisposta><fault><faultCode>PAA_RT_DUPLICATA</faultCode><faultString>[^<]+</faultString><id>` +
		testDominio + `</id><description>[^<]+</description></fault><esito>KO</esito></paaInviaRTRisposta>`).Match(dupAnswer.Body) {
		t.Errorf("answer body %s", dupAnswer.Body)
	}
}

// bodyRe2 finds the Body content of the reference samples, which use the
// same soapenv prefix as Ponte but may break lines.
var bodyRe2 = regexp.MustCompile(`(?s)<soapenv:Body>\s*(.*?)\s*</soapenv:Body>`)

// The node test suite's RPT_T003/RT_T003 pair delivered in wisp-converter's
// own paaInviaRT envelope (tipoFirma left out, base64 on lines) is accepted,
// although the pair disagrees on riferimentoMessaggioRichiesta.
func TestWispConverterSampleAccepted(t *testing.T) {
	env := sample(t, "wisp-converter/paaInviaRT.xml")
	rptDoc := sample(t, "pagopa-nodo-dei-pagamenti-test/RPT_T003.xml")
	rtDoc := sample(t, "pagopa-nodo-dei-pagamenti-test/RT_T003.xml")
	dialects(t, func(t *testing.T, h *harness) {
		n := iuvSeq.Add(1)
		iuvCode, ccp := fmt.Sprintf("01%015d", n), fmt.Sprintf("T003-%d", n)
		sp := h.sentCartWith(iuvCode, ccp, "MSGRICHIESTA01", fill(rptDoc, iuvCode, ccp))
		rt := fill(rtDoc, iuvCode, ccp)

		e := string(env)
		for from, to := range map[string]string{
			">15376371009<":     ">" + testInterm + "<",
			">15376371009_48<":  ">" + testStazione + "<",
			">633836153345163<": ">" + iuvCode + "<",
			">437642378654347<": ">" + ccp + "<",
		} {
			if !strings.Contains(e, from) {
				t.Fatalf("sample envelope lacks %s", from)
			}
			e = strings.Replace(e, from, to, 1)
		}
		// identificativoIntermediarioPA and identificativoDominio share a value.
		e = strings.Replace(e, "<identificativoDominio>15376371009<", "<identificativoDominio>"+testDominio+"<", 1)
		e = regexp.MustCompile(`(?s)<rt>.*?</rt>`).ReplaceAllString(e, "<rt>\n"+wrap76(base64.StdEncoding.EncodeToString(rt))+"\n</rt>")

		wantOK(t, h.send(e))
		c, p := h.state(sp)
		if c.State != gateway.CartPagato || p.Receipt == nil || p.Receipt.Amount != 1000 || !bytes.Equal(p.Receipt.RT, rt) {
			t.Fatalf("cart %s, receipt %+v", c.State, p.Receipt)
		}
		if !strings.Contains(h.logs.String(), "riferimentoMessaggioRichiesta") {
			t.Error("the echo violation was not logged")
		}
		// wisp-converter's envelope again: the node gets PAA_RT_DUPLICATA.
		wantFault(t, h.send(e), CodeRTDuplicata, testDominio)
	})
}

// nodoInviaRT_psp_T003 is the PSP's delivery to the node; the node
// forwards its RT with its tipoFirma (empty) and the same dominio, IUV and
// CCP. That forward is accepted.
func TestNodoInviaRTSampleForwarded(t *testing.T) {
	psp := sample(t, "pagopa-nodo-dei-pagamenti-test/nodoInviaRT_psp_T003.xml")
	rptDoc := sample(t, "pagopa-nodo-dei-pagamenti-test/RPT_T003.xml")
	rtDoc := sample(t, "pagopa-nodo-dei-pagamenti-test/RT_T003.xml")
	h := newHarness(t, "sqlite")
	iuvCode, ccp := "01888888888800001", "T003-PSP"
	sp := h.sentCartWith(iuvCode, ccp, "MSGRICHIESTA01", fill(rptDoc, iuvCode, ccp))
	var in struct {
		Dominio   string  `xml:"Body>nodoInviaRT>identificativoDominio"`
		IUV       string  `xml:"Body>nodoInviaRT>identificativoUnivocoVersamento"`
		CCP       string  `xml:"Body>nodoInviaRT>codiceContestoPagamento"`
		TipoFirma *string `xml:"Body>nodoInviaRT>tipoFirma"`
	}
	must(t, xml.Unmarshal(fill(psp, iuvCode, ccp), &in))
	if in.TipoFirma == nil || *in.TipoFirma != "" || in.IUV != iuvCode || in.CCP != ccp || in.Dominio != testDominio {
		t.Fatalf("sample read as %+v", in)
	}
	hd := head{testInterm, testStazione, in.Dominio, in.IUV, in.CCP}
	wantOK(t, h.send(envelope(hd, in.TipoFirma, fill(rtDoc, iuvCode, ccp))))
	if c, _ := h.state(sp); c.State != gateway.CartPagato {
		t.Fatalf("cart %s", c.State)
	}
}
