package soap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
)

type risposta struct {
	XMLName xml.Name `xml:"http://www.regione.veneto.it/pagamenti/ente/ paaSILChiediPagatiRisposta"`
	Fault   *struct {
		FaultCode string `xml:"faultCode"`
	} `xml:"fault"`
	Esito  string `xml:"esito"`
	Pagati string `xml:"pagati,omitempty"`
}

var rispostaName = xml.Name{Space: nsEnte, Local: "paaSILChiediPagatiRisposta"}

func TestWriteResponse(t *testing.T) {
	rec := httptest.NewRecorder()
	if err := WriteResponse(rec, risposta{Esito: "OK", Pagati: "a<b&c"}, rispostaName, "ns2"); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 200 || rec.Header().Get("Content-Type") != ContentType {
		t.Fatalf("status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	got := rec.Body.String()
	want := `<?xml version="1.0" encoding="UTF-8"?>` +
		`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header/><soapenv:Body>` +
		`<ns2:paaSILChiediPagatiRisposta xmlns:ns2="http://www.regione.veneto.it/pagamenti/ente/"><esito>OK</esito><pagati>a&lt;b&amp;c</pagati></ns2:paaSILChiediPagatiRisposta>` +
		`</soapenv:Body></soapenv:Envelope>`
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	// Round trip through our own decoder: the wrapper is qualified, the
	// children are not.
	req, err := Decode(strings.NewReader(got), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var back risposta
	if err := req.DecodeBody(&back); err != nil || back.Esito != "OK" || back.Pagati != "a<b&c" {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	xmllintWellFormed(t, rec.Body.Bytes())
}

func TestWriteResponseEncodeErrorWritesNothing(t *testing.T) {
	rec := httptest.NewRecorder()
	err := WriteResponse(rec, struct{ C chan int }{}, rispostaName, "ns2")
	if err == nil {
		t.Fatal("no error for an unencodable body")
	}
	if rec.Body.Len() != 0 || rec.Code != 200 || rec.Header().Get("Content-Type") != "" {
		t.Fatalf("half answer written: %d %q", rec.Code, rec.Body.String())
	}
}

func TestWriteFault(t *testing.T) {
	rec := httptest.NewRecorder()
	if err := WriteFault(rec, Fault{Code: FaultClient, String: "x < y", Detail: "d&d"}); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("Content-Type") != ContentType {
		t.Fatalf("status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	f := parseFault(t, rec.Body.Bytes())
	if f.Code != FaultClient || f.String != "x < y" || f.Detail != "d&d" {
		t.Fatalf("fault = %+v", f)
	}
	if !bytes.Contains(rec.Body.Bytes(), []byte("<faultcode>soapenv:Client</faultcode><faultstring>x &lt; y</faultstring>")) {
		t.Fatalf("faultcode/faultstring not unqualified: %s", rec.Body)
	}
	xmllintWellFormed(t, rec.Body.Bytes())
}

// parseFault reads a SOAP 1.1 fault envelope strictly: faultcode and
// faultstring must be unqualified children of soapenv:Fault.
func parseFault(t *testing.T, b []byte) Fault {
	t.Helper()
	var env struct {
		XMLName xml.Name `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
		Body    struct {
			Fault *struct {
				Code   string `xml:"faultcode"`
				String string `xml:"faultstring"`
				Detail string `xml:"detail>message"`
			} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault"`
		} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
	}
	if err := xml.Unmarshal(b, &env); err != nil {
		t.Fatalf("not a SOAP envelope: %v\n%s", err, b)
	}
	if env.Body.Fault == nil {
		t.Fatalf("no Fault in %s", b)
	}
	return Fault{Code: env.Body.Fault.Code, String: env.Body.Fault.String, Detail: env.Body.Fault.Detail}
}

func xmllintWellFormed(t *testing.T, b []byte) {
	t.Helper()
	path, err := exec.LookPath("xmllint")
	if err != nil {
		return
	}
	cmd := exec.Command(path, "--noout", "-")
	cmd.Stdin = bytes.NewReader(b)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("xmllint: %s\n%s", stderr.String(), b)
		}
		t.Fatal(err)
	}
}
