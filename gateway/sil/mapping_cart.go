package sil

import (
	"encoding/xml"

	"github.com/ponte-pagopa/ponte/gateway"
	gensil "github.com/ponte-pagopa/ponte/generated/sil"
)

// Request bodies of the payment operations. As importaDovutoWire they keep
// base64 payloads as raw text (an undecodable one is PAA_XML_NON_VALIDO,
// not a broken body) and carry no namespace in their tags, so qualified
// children are accepted too.

type inviaDovutiWire struct {
	Password  string `xml:"password"`
	Dovuti    []byte `xml:"dovuti"`
	ReturnURL string `xml:"enteSILInviaRispostaPagamentoUrl"`
	ShowMyPay string `xml:"showMyPay"`
}

type inviaCarrelloWire struct {
	Password string `xml:"password"`
	Lista    struct {
		Elementi []elementoWire `xml:"elementoListaDovuti"`
	} `xml:"listaDovuti"`
	Secondari *struct {
		Elementi []struct {
			Dovuti []byte `xml:"dovutiEntiSecondari"`
		} `xml:"elementoListaDovutiEntiSecondari"`
	} `xml:"listaDovutiEntiSecondari"`
	ReturnURL string `xml:"enteSILInviaRispostaPagamentoUrl"`
}

type elementoWire struct {
	CodIpaEnte string `xml:"codIpaEnte"`
	Password   string `xml:"password"`
	Dovuti     []byte `xml:"dovuti"`
}

type verificaAvvisoWire struct {
	Password  string `xml:"password"`
	IUV       string `xml:"identificativoUnivocoVersamento"`
	ReturnURL string `xml:"enteSILInviaRispostaPagamentoUrl"`
}

type chiediPagatiWire struct {
	CodIpaEnte string `xml:"codIpaEnte"`
	Password   string `xml:"password"`
	IDSession  string `xml:"idSession"`
}

type chiediRicevutaWire struct {
	CodIpaEnte string `xml:"codIpaEnte"`
	Password   string `xml:"password"`
	IDSession  string `xml:"idSession"`
	IUV        string `xml:"identificativoUnivocoVersamento"`
	IUD        string `xml:"identificativoUnivocoDovuto"`
}

type chiediEsitoWire struct {
	CodIpaEnte        string `xml:"codIpaEnte"`
	Password          string `xml:"password"`
	IDSessionCarrello string `xml:"idSessionCarrello"`
}

// responseName is the response element of op.
func responseName(op string) xml.Name { return xml.Name{Space: NS, Local: op + "Risposta"} }

// cartResponse builds the answer of paaSILInviaDovuti,
// paaSILInviaCarrelloDovuti or paaSILVerificaAvviso: a fault with esito
// KO, or esito OK, the idSession, redirect 1 and the landing URL.
func cartResponse(op string, f *faultView, c *gateway.Cart, url string) any {
	var (
		r        = gensil.Risposta{Fault: faultBean(f)}
		esito    = esitoKO
		id       string
		redirect *int32
	)
	if f == nil {
		one := int32(1)
		esito, id, redirect = esitoOK, c.IDSession, &one
	}
	switch op {
	case opInviaCarrello:
		return &gensil.PaaSILInviaCarrelloDovutiRisposta{Risposta: r, Esito: esito, IdSessionCarrello: id, Redirect: redirect, Url: url}
	case opVerificaAvviso:
		return &gensil.PaaSILVerificaAvvisoRisposta{Risposta: r, Esito: esito, IdSession: id, Redirect: redirect, Url: url}
	}
	return &gensil.PaaSILInviaDovutiRisposta{Risposta: r, Esito: esito, IdSession: id, Redirect: redirect, Url: url}
}

// chiediPagatiResponse: pagati is the document already base64-encoded once.
func chiediPagatiResponse(f *faultView, pagati []byte) *gensil.PaaSILChiediPagatiRisposta {
	return &gensil.PaaSILChiediPagatiRisposta{Risposta: gensil.Risposta{Fault: faultBean(f)}, Pagati: pagati}
}

// ricevutaOutcome is a paaSILChiediPagatiConRicevuta answer without fault.
type ricevutaOutcome struct {
	Pagati    []byte // PagatiConRicevuta, base64-encoded once
	TipoFirma string
	RT        []byte // the RT as received
}

func chiediRicevutaResponse(f *faultView, o *ricevutaOutcome) *gensil.PaaSILChiediPagatiConRicevutaRisposta {
	r := &gensil.PaaSILChiediPagatiConRicevutaRisposta{Risposta: gensil.Risposta{Fault: faultBean(f)}}
	if o != nil {
		r.Pagati, r.TipoFirma, r.Rt = o.Pagati, o.TipoFirma, o.RT
	}
	return r
}

// esitoCarrelloResponse is paaSILChiediEsitoCarrelloDovutiRisposta with
// listaCarrelli optional: MyPay leaves it out when it answers a fault, and
// so does Ponte (the generated type would write an empty, invalid list).
type esitoCarrelloResponse struct {
	Fault         *gensil.FaultBean     `xml:"fault"`
	ListaCarrelli *gensil.ListaCarrelli `xml:"listaCarrelli"`
}

// rispostaCarrello is one entry of listaCarrelli before it is put on the
// wire.
type rispostaCarrello struct {
	Esito, CodIpa, IDCarrello string
	Pagati, RT                []byte // Pagati already base64-encoded once
}

func esitoResponse(f *faultView, list []rispostaCarrello) *esitoCarrelloResponse {
	r := &esitoCarrelloResponse{Fault: faultBean(f)}
	if f != nil {
		return r
	}
	r.ListaCarrelli = &gensil.ListaCarrelli{}
	for _, e := range list {
		r.ListaCarrelli.RispostaCarrello = append(r.ListaCarrelli.RispostaCarrello, gensil.RispostaCarrello{
			Esito: e.Esito, CodIpaEnte: gensil.StText35(e.CodIpa), CodIdentificativoUnivocoCarrello: gensil.StText35(e.IDCarrello),
			Pagati: e.Pagati, Rt: e.RT,
		})
	}
	return r
}
