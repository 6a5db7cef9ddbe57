package papernodo

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ponte-pagopa/ponte/gateway/soap"
	gen "github.com/ponte-pagopa/ponte/generated/papernodo"
)

// delivery is one paaInviaRT as the service reads it.
type delivery struct {
	Intermediario string // identificativoIntermediarioPA
	Stazione      string // identificativoStazioneIntermediarioPA
	Dominio       string // identificativoDominio
	IUV           string
	CCP           string
	TipoFirma     string
	RT            []byte // the RT document, base64-decoded
}

// element is any XML element. Decoding the body into it never fails on
// content, so every structural fault is named here, not by encoding/xml
// (which would silently skip unknown or missing elements).
type element = soap.Tree

// decodeBody reads a standalone paaInviaRT element (the fuzz target's way
// in; the handler decodes the element through the SOAP request).
func decodeBody(b []byte) (gen.PaaInviaRT, error) {
	var el element
	if err := xml.Unmarshal(b, &el); err != nil {
		return gen.PaaInviaRT{}, fault(CodeSintassiExtraXSD, "paaInviaRT non leggibile: "+err.Error())
	}
	return bodyFrom(el)
}

// bodyFrom checks el against the schema's paaInviaRT (tipoFirma then rt,
// both unqualified, text only) and decodes rt. tipoFirma may be missing:
// the schema requires it, but wisp-converter leaves it out. Faults are
// PAA_SINTASSI_EXTRAXSD: the envelope, not the RT, is wrong.
func bodyFrom(el element) (gen.PaaInviaRT, error) {
	var out gen.PaaInviaRT
	bad := func(format string, args ...any) (gen.PaaInviaRT, error) {
		return gen.PaaInviaRT{}, fault(CodeSintassiExtraXSD, fmt.Sprintf(format, args...))
	}
	if el.XMLName.Space != NS || el.XMLName.Local != "paaInviaRT" {
		return bad("atteso {%s}paaInviaRT, trovato {%s}%s", NS, el.XMLName.Space, el.XMLName.Local)
	}
	if strings.TrimSpace(el.Text) != "" {
		return bad("testo inatteso in paaInviaRT")
	}
	var sawTipoFirma, sawRT bool
	var rtText string
	for _, n := range el.Nodes {
		name := n.XMLName.Local
		if n.XMLName.Space != "" {
			return bad("elemento %s qualificato con il namespace %q: i figli di paaInviaRT non hanno namespace", name, n.XMLName.Space)
		}
		if len(n.Nodes) > 0 {
			return bad("l'elemento %s contiene altri elementi: atteso solo testo", name)
		}
		switch {
		case name == "tipoFirma" && !sawTipoFirma && !sawRT:
			sawTipoFirma = true
			out.TipoFirma = strings.TrimSpace(n.Text)
		case name == "rt" && !sawRT:
			sawRT = true
			rtText = n.Text
		case name == "tipoFirma" || name == "rt":
			return bad("elemento %s ripetuto o fuori ordine (attesi tipoFirma, rt)", name)
		default:
			return bad("elemento inatteso %s in paaInviaRT (attesi tipoFirma, rt)", printable(name))
		}
	}
	if !sawRT {
		return bad("elemento rt mancante")
	}
	rt, err := decodeBase64(rtText)
	if err != nil {
		return bad("rt non è base64 valido: %v", err)
	}
	out.Rt = rt
	return out, nil
}

// decodeBase64 reads xsd:base64Binary as wire.Base64.UnmarshalText does
// (spaces, tabs and line breaks ignored, standard alphabet, padded), with
// fewer copies of the text, which is the whole RT: two buffers, not five. It
// filters bytes, not runes, which is the same on the valid UTF-8 that
// encoding/xml guarantees, as the dropped characters are ASCII.
func decodeBase64(s string) ([]byte, error) {
	src := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t', '\r', '\n':
		default:
			src = append(src, c)
		}
	}
	dst := make([]byte, base64.StdEncoding.DecodedLen(len(src)))
	n, err := base64.StdEncoding.Decode(dst, src)
	if err != nil {
		return nil, err
	}
	return dst[:n], nil
}

// headerFrom finds ppthead:intestazionePPT among the SOAP header children
// and decodes it; every field is required, 1 to 35 characters (stText35).
func headerFrom(elems []soap.Element) (gen.IntestazionePPT, error) {
	var h gen.IntestazionePPT
	for _, e := range elems {
		if e.Name.Space != NSHead || e.Name.Local != "intestazionePPT" {
			continue
		}
		if err := xml.Unmarshal(e.Raw, &h); err != nil {
			return h, fault(CodeSintassiExtraXSD, "intestazionePPT non leggibile: "+err.Error())
		}
		for _, f := range []struct {
			name string
			v    *gen.StText35
		}{
			{"identificativoIntermediarioPA", &h.IdentificativoIntermediarioPA},
			{"identificativoStazioneIntermediarioPA", &h.IdentificativoStazioneIntermediarioPA},
			{"identificativoDominio", &h.IdentificativoDominio},
			{"identificativoUnivocoVersamento", &h.IdentificativoUnivocoVersamento},
			{"codiceContestoPagamento", &h.CodiceContestoPagamento},
		} {
			*f.v = gen.StText35(strings.TrimSpace(string(*f.v)))
			switch n := utf8.RuneCountInString(string(*f.v)); {
			case n == 0:
				return h, fault(CodeSintassiExtraXSD, "intestazionePPT: "+f.name+" mancante o vuoto")
			case n > 35:
				return h, fault(CodeSintassiExtraXSD, fmt.Sprintf("intestazionePPT: %s di %d caratteri (massimo 35)", f.name, n))
			}
		}
		return h, nil
	}
	return h, fault(CodeSintassiExtraXSD, "header SOAP intestazionePPT {"+NSHead+"} mancante")
}

// deliveryOf maps the wire header and body to a delivery.
func deliveryOf(h gen.IntestazionePPT, b gen.PaaInviaRT) *delivery {
	return &delivery{
		Intermediario: string(h.IdentificativoIntermediarioPA),
		Stazione:      string(h.IdentificativoStazioneIntermediarioPA),
		Dominio:       string(h.IdentificativoDominio),
		IUV:           string(h.IdentificativoUnivocoVersamento),
		CCP:           string(h.CodiceContestoPagamento),
		TipoFirma:     b.TipoFirma,
		RT:            []byte(b.Rt),
	}
}

// printable quotes a name from the caller for a description.
func printable(s string) string { return fmt.Sprintf("%q", truncate(s, 64)) }
