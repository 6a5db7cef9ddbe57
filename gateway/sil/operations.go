package sil

import (
	"context"
	"encoding/xml"

	gensil "github.com/ponte-pagopa/ponte/generated/sil"

	"github.com/ponte-pagopa/ponte/gateway/soap"
)

// NS is the namespace of the SIL body elements.
const NS = "http://www.regione.veneto.it/pagamenti/ente/"

const (
	esitoOK = "OK"
	esitoKO = "KO"
)

// operation describes one operation of the SIL WSDL.
type operation struct {
	name   string
	header bool // codIpaEnte comes from ppthead:intestazionePPT
	esito  bool // the response has an esito element
}

// operations lists all 18 operations of PagamentiTelematiciDovutiPagati.
var operations = []operation{
	{"paaSILInviaDovuti", true, true},
	{"paaSILInviaCarrelloDovuti", true, true},
	{"paaSILVerificaAvviso", true, true},
	{"paaSILChiediPagati", false, false},
	{"paaSILChiediPagatiConRicevuta", false, false},
	{"paaSILChiediEsitoCarrelloDovuti", false, false},
	{opImporta, true, true},
	{"paaSILRegistraPagamento", false, true},
	{"paaSILAutorizzaImportFlusso", true, false},
	{"paaSILChiediStatoImportFlusso", true, false},
	{"paaSILPrenotaExportFlusso", true, false},
	{"paaSILPrenotaExportFlussoIncrementaleConRicevuta", true, false},
	{"paaSILChiediStatoExportFlusso", true, false},
	{"paaSILPrenotaExportFlussoScaduti", true, false},
	{"paaSILChiediStatoExportFlussoScaduti", true, false},
	{"paaSILChiediAvvisiPendenti", false, false},
	{"paaSILChiediPosizioniAperte", false, false},
	{"paaSILChiediStoricoPagamenti", false, false},
}

// Register routes every SIL operation to ep: the implemented ones to their
// handlers, the others to notAvailable. The payment operations need a
// CartStore: without one they stay not available.
func (s *Service) Register(ep *soap.Endpoint) {
	impl := map[string]soap.Handler{
		opImporta: s.handleImporta,
	}
	if s.carts != nil {
		impl[opInviaDovuti] = s.handleInviaDovuti
		impl[opInviaCarrello] = s.handleInviaCarrello
		impl[opVerificaAvviso] = s.handleVerificaAvviso
		impl[opChiediPagati] = s.handleChiediPagati
		impl[opChiediPagatiConRicevuta] = s.handleChiediPagatiConRicevuta
		impl[opChiediEsitoCarrello] = s.handleChiediEsitoCarrello
	}
	if s.imports != nil {
		impl[opAutorizzaImport] = s.handleAutorizzaImport
		impl[opChiediStatoImport] = s.handleChiediStatoImport
	}
	if s.exports != nil {
		impl["paaSILPrenotaExportFlusso"] = s.handlePrenotaExport
		impl["paaSILPrenotaExportFlussoIncrementaleConRicevuta"] = s.handlePrenotaExportIncrementale
		impl["paaSILChiediStatoExportFlusso"] = s.handleChiediStatoExport
		impl["paaSILPrenotaExportFlussoScaduti"] = s.handlePrenotaExportScaduti
		impl["paaSILChiediStatoExportFlussoScaduti"] = s.handleChiediStatoExportScaduti
	}
	for _, op := range operations {
		h := impl[op.name]
		if h == nil {
			h = s.notAvailable(op)
		}
		ep.Register(xml.Name{Space: NS, Local: op.name}, h)
	}
}

// errNoHeader is MyPay's NullPointerException on a header operation sent
// without intestazionePPT, as a clearer SOAP Client fault.
var errNoHeader = &soap.Fault{Code: soap.FaultClient, String: "intestazionePPT mancante"}

// headerCodIpa returns the codIpaEnte of the SOAP header.
func headerCodIpa(req *soap.Request) (string, bool) {
	if req.Header == nil {
		return "", false
	}
	return req.Header.CodIpaEnte, true
}

// notAvailableResponse is the answer of an operation Ponte does not
// implement yet: its own response element with a fault (and esito KO where
// the response has one). Every response type extends risposta, so fault
// first is always schema-correct as far as it goes.
type notAvailableResponse struct {
	Fault *gensil.FaultBean `xml:"fault"`
	Esito string            `xml:"esito,omitempty"`
}

// notAvailable answers PAA_SYSTEM_ERROR "<op> non è ancora disponibile".
func (s *Service) notAvailable(op operation) soap.Handler {
	respName := xml.Name{Space: NS, Local: op.name + "Risposta"}
	return func(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
		var body struct {
			CodIpaEnte string `xml:"codIpaEnte"`
		}
		if err := req.DecodeBody(&body); err != nil {
			return nil, respName, err
		}
		codIpa := trim(body.CodIpaEnte)
		if op.header {
			if c, ok := headerCodIpa(req); ok {
				codIpa = c
			}
		}
		ev := soap.EventFrom(ctx)
		ev.CodIpa = codIpa
		ev.FaultCode = "PAA_SYSTEM_ERROR"
		r := &notAvailableResponse{Fault: faultBean(&faultView{
			Code: "PAA_SYSTEM_ERROR", String: op.name + " non è ancora disponibile", ID: codIpa,
		})}
		if op.esito {
			r.Esito, ev.Esito = esitoKO, esitoKO
		}
		return r, respName, nil
	}
}

// handleImporta serves paaSILImportaDovuto.
func (s *Service) handleImporta(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
	codIpa, ok := headerCodIpa(req)
	if !ok {
		return nil, nameImportaRisposta, errNoHeader
	}
	var w importaDovutoWire
	if err := req.DecodeBody(&w); err != nil {
		return nil, nameImportaRisposta, err
	}
	var out importaOutcome
	gerr := s.importa(ctx, codIpa, w.input(), &out)

	ev := soap.EventFrom(ctx)
	ev.CodIpa, ev.IUD, ev.IUV = codIpa, out.IUD, out.IUV
	if gerr != nil {
		f := s.faultOf(opImporta, codIpa, gerr)
		ev.Esito, ev.FaultCode = esitoKO, f.Code
		return importaResponse(f, ""), nameImportaRisposta, nil
	}
	ev.Esito = esitoOK
	r := importaResponse(nil, out.GeneratedIUV)
	r.Base64ZipAvviso, r.UrlFileAvviso = out.ZipAvviso, out.URLFileAvviso
	return r, nameImportaRisposta, nil
}
