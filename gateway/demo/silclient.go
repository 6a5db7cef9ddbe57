package demo

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// The SIL client is written the way a gestionale writes one, from the
// WSDL and not from Ponte's code: only the wrapper element is qualified,
// its children are not (the WSDL schemas have no elementFormDefault).
const (
	nsSOAP    = "http://schemas.xmlsoap.org/soap/envelope/"
	nsPPT     = "http://www.regione.veneto.it/pagamenti/ente/"
	nsPPTHead = "http://www.regione.veneto.it/pagamenti/ente/ppthead"
	// maxAnswer bounds what is read of an answer.
	maxAnswer = 4 << 20
)

// Fault is a fault bean of a SIL answer (esito KO).
type Fault struct {
	Code        string `xml:"faultCode"`
	String      string `xml:"faultString"`
	ID          string `xml:"id"`
	Description string `xml:"description"`
}

func (f *Fault) Error() string { return f.Code + ": " + f.String }

// soapFault is a SOAP-level fault: the request itself was refused.
type soapFault struct {
	Code   string `xml:"faultcode"`
	String string `xml:"faultstring"`
}

// inviaAnswer is paaSILInviaDovutiRisposta.
type inviaAnswer struct {
	Fault     *Fault `xml:"fault"`
	Esito     string `xml:"esito"`
	IDSession string `xml:"idSession"`
	Redirect  string `xml:"redirect"`
	URL       string `xml:"url"`
}

// pagatiAnswer is paaSILChiediPagatiRisposta.
type pagatiAnswer struct {
	Fault  *Fault `xml:"fault"`
	Pagati string `xml:"pagati"`
}

type envelope struct {
	Body struct {
		Fault  *soapFault    `xml:"Fault"`
		Invia  *inviaAnswer  `xml:"paaSILInviaDovutiRisposta"`
		Pagati *pagatiAnswer `xml:"paaSILChiediPagatiRisposta"`
	} `xml:"Body"`
}

type silClient struct {
	url      string
	codIpa   string
	password string
	http     *http.Client
}

// inviaDovuti sends a Dovuti document; SHORT: the citizen confirms on
// Ponte's page. A KO answer is returned as a *Fault.
func (s *silClient) inviaDovuti(ctx context.Context, dovuti []byte, backURL string) (*inviaAnswer, error) {
	var b strings.Builder
	b.WriteString(`<soapenv:Envelope xmlns:soapenv="` + nsSOAP + `">`)
	b.WriteString(`<soapenv:Header><ppthead:intestazionePPT xmlns:ppthead="` + nsPPTHead + `">`)
	elem(&b, "codIpaEnte", s.codIpa)
	b.WriteString(`</ppthead:intestazionePPT></soapenv:Header><soapenv:Body><ppt:paaSILInviaDovuti xmlns:ppt="` + nsPPT + `">`)
	if s.password != "" {
		elem(&b, "password", s.password)
	}
	elem(&b, "dovuti", base64.StdEncoding.EncodeToString(dovuti))
	elem(&b, "enteSILInviaRispostaPagamentoUrl", backURL)
	elem(&b, "showMyPay", "SHORT")
	b.WriteString(`</ppt:paaSILInviaDovuti></soapenv:Body></soapenv:Envelope>`)

	env, err := s.call(ctx, "paaSILInviaDovuti", b.String())
	if err != nil {
		return nil, err
	}
	a := env.Body.Invia
	switch {
	case a == nil:
		return nil, fmt.Errorf("demo: paaSILInviaDovuti: answer without paaSILInviaDovutiRisposta")
	case a.Fault != nil:
		return a, a.Fault
	case a.Esito != "OK" || a.URL == "":
		return a, fmt.Errorf("demo: paaSILInviaDovuti: esito %q without fault, url %q", a.Esito, a.URL)
	}
	return a, nil
}

// chiediPagati asks the outcome of a session. A fault (such as
// PAA_PAGAMENTO_IN_CORSO) is returned as a *Fault; otherwise the Pagati
// document, decoded.
func (s *silClient) chiediPagati(ctx context.Context, idSession string) (*pagatiDoc, error) {
	var b strings.Builder
	b.WriteString(`<soapenv:Envelope xmlns:soapenv="` + nsSOAP + `"><soapenv:Body><ppt:paaSILChiediPagati xmlns:ppt="` + nsPPT + `">`)
	elem(&b, "codIpaEnte", s.codIpa)
	if s.password != "" {
		elem(&b, "password", s.password)
	}
	elem(&b, "idSession", idSession)
	b.WriteString(`</ppt:paaSILChiediPagati></soapenv:Body></soapenv:Envelope>`)

	env, err := s.call(ctx, "paaSILChiediPagati", b.String())
	if err != nil {
		return nil, err
	}
	a := env.Body.Pagati
	switch {
	case a == nil:
		return nil, fmt.Errorf("demo: paaSILChiediPagati: answer without paaSILChiediPagatiRisposta")
	case a.Fault != nil:
		return nil, a.Fault
	case a.Pagati == "":
		return nil, fmt.Errorf("demo: paaSILChiediPagati: answer with neither fault nor pagati")
	}
	return parsePagati(a.Pagati)
}

// call posts one envelope and decodes the answer. SOAP 1.1 faults come
// with HTTP 500.
func (s *silClient) call(ctx context.Context, action, body string) (*envelope, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", `"`+action+`"`)
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("demo: %s: %w", action, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("demo: %s: reading the answer: %w", action, err)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusInternalServerError {
		return nil, fmt.Errorf("demo: %s: HTTP %d", action, resp.StatusCode)
	}
	var env envelope
	if err := xml.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("demo: %s: HTTP %d, answer not SOAP: %w", action, resp.StatusCode, err)
	}
	if f := env.Body.Fault; f != nil {
		return nil, fmt.Errorf("demo: %s: SOAP fault %s: %s", action, f.Code, f.String)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("demo: %s: HTTP %d", action, resp.StatusCode)
	}
	return &env, nil
}

// elem writes <name>escaped value</name>, in no namespace.
func elem(b *strings.Builder, name, value string) {
	b.WriteString("<" + name + ">")
	var buf bytes.Buffer
	_ = xml.EscapeText(&buf, []byte(value))
	b.Write(buf.Bytes())
	b.WriteString("</" + name + ">")
}
