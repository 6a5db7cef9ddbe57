package sil

import (
	"context"
	"encoding/xml"
	"errors"
	"path"
	"slices"
	"strings"
	"time"

	gensil "github.com/ponte-pagopa/ponte/generated/sil"
	"github.com/ponte-pagopa/ponte/generated/wire"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/flussi"
	"github.com/ponte-pagopa/ponte/gateway/signed"
	"github.com/ponte-pagopa/ponte/gateway/soap"
)

const (
	opPrenotaExport             = "paaSILPrenotaExportFlusso"
	opPrenotaExportIncrementale = "paaSILPrenotaExportFlussoIncrementaleConRicevuta"
	opChiediStatoExport         = "paaSILChiediStatoExportFlusso"
	opPrenotaExportScaduti      = "paaSILPrenotaExportFlussoScaduti"
	opChiediStatoExportScaduti  = "paaSILChiediStatoExportFlussoScaduti"
)

// exportFlussi is what the five export operations need.
type exportFlussi struct {
	store           gateway.ExportStore
	signer          *signed.Signer
	passwordMypivot string
}

// EnableExport turns on the five export operations; call it before
// Register. Download links are built on the service's PublicURL and signed
// with signer, which the download handler must share. passwordMypivot is
// MyPay's app.be.password-mypivot: a passwordMypivot sent with
// paaSILPrenotaExportFlussoIncrementaleConRicevuta must equal it.
func (s *Service) EnableExport(store gateway.ExportStore, signer *signed.Signer, passwordMypivot string) {
	s.exports = &exportFlussi{store: store, signer: signer, passwordMypivot: passwordMypivot}
}

func respName(op string) xml.Name { return xml.Name{Space: NS, Local: op + "Risposta"} }

type prenotaExportResponse struct {
	Fault        *gensil.FaultBean `xml:"fault,omitempty"`
	RequestToken string            `xml:"requestToken,omitempty"`
}

type prenotaIncrementaleResponse struct {
	Fault        *gensil.FaultBean `xml:"fault,omitempty"`
	RequestToken string            `xml:"requestToken,omitempty"`
	DateTo       wire.DateTime     `xml:"dateTo,omitempty"`
}

type statoExportResponse struct {
	Fault       *gensil.FaultBean `xml:"fault,omitempty"`
	Stato       string            `xml:"stato,omitempty"`
	DownloadURL string            `xml:"downloadUrl,omitempty"`
}

type statoScadutiResponse struct {
	Fault       *gensil.FaultBean `xml:"fault,omitempty"`
	Stato       string            `xml:"stato,omitempty"`
	NomeFile    string            `xml:"nomeFile,omitempty"`
	DownloadURL string            `xml:"downloadUrl,omitempty"`
	PathFile    string            `xml:"pathFile,omitempty"`
}

// exportRequest is what the two PAGATI bookings ask, read off the wire.
type exportRequest struct {
	password        string
	from, to        string // xs:date or xs:dateTime text; "" when absent
	tipo, version   string
	incremental     bool
	ricevuta        bool
	passwordMypivot string
}

// handlePrenotaExport serves paaSILPrenotaExportFlusso.
func (s *Service) handlePrenotaExport(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
	name := respName(opPrenotaExport)
	codIpa, ok := headerCodIpa(req)
	if !ok {
		return nil, name, errNoHeader
	}
	var w gensil.PaaSILPrenotaExportFlusso
	if err := req.DecodeBody(&w); err != nil {
		return nil, name, err
	}
	ev := soap.EventFrom(ctx)
	ev.CodIpa = codIpa
	f, gerr := s.prenotaExport(ctx, codIpa, &exportRequest{password: password(w.Password), from: string(w.DateFrom),
		to: string(w.DateTo), tipo: trim(w.IdentificativoTipoDovuto), version: trim(w.VersioneTracciato)}, false)
	if gerr != nil {
		fv := s.faultOf(opPrenotaExport, codIpa, gerr)
		ev.FaultCode = fv.Code
		return &prenotaExportResponse{Fault: faultBean(fv)}, name, nil
	}
	return &prenotaExportResponse{RequestToken: f.RequestToken}, name, nil
}

// handlePrenotaExportIncrementale serves
// paaSILPrenotaExportFlussoIncrementaleConRicevuta.
func (s *Service) handlePrenotaExportIncrementale(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
	name := respName(opPrenotaExportIncrementale)
	codIpa, ok := headerCodIpa(req)
	if !ok {
		return nil, name, errNoHeader
	}
	var w gensil.PaaSILPrenotaExportFlussoIncrementaleConRicevuta
	if err := req.DecodeBody(&w); err != nil {
		return nil, name, err
	}
	ev := soap.EventFrom(ctx)
	ev.CodIpa = codIpa
	f, gerr := s.prenotaExport(ctx, codIpa, &exportRequest{password: password(w.Password), from: string(w.DateFrom),
		to: string(w.DateTo), tipo: trim(w.IdentificativoTipoDovuto), version: trim(w.VersioneTracciato),
		incremental: w.Incrementale, ricevuta: w.Ricevuta, passwordMypivot: trim(w.PasswordMypivot)}, true)
	if gerr != nil {
		fv := s.faultOf(opPrenotaExportIncrementale, codIpa, gerr)
		ev.FaultCode = fv.Code
		return &prenotaIncrementaleResponse{Fault: faultBean(fv)}, name, nil
	}
	return &prenotaIncrementaleResponse{RequestToken: f.RequestToken,
		DateTo: wire.DateTimeOf(f.To.In(gateway.Rome))}, name, nil
}

// prenotaExport books a PAGATI export after MyPay's checks, in
// PrenotazioneFlussoService's order (mypay-sil §2.11, §2.12). The
// WS_USER check has no counterpart: every ente may call the SIL.
func (s *Service) prenotaExport(ctx context.Context, codIpa string, in *exportRequest, withTime bool) (*gateway.ExportFlusso, *gateway.Error) {
	ente, gerr := s.verificaEnte(ctx, codIpa, in.password)
	if gerr != nil {
		return nil, gerr
	}
	now := s.clock.Now()
	from, ok := exportTime(in.from, withTime)
	if !ok {
		return nil, gateway.Errorf(gateway.CodeDateFromNonValido, "Data inizio non valida")
	}
	to, ok := exportTime(in.to, withTime)
	switch {
	case !ok && withTime && in.to == "":
		to = now // dateTo absent: up to now
	case !ok:
		return nil, gateway.Errorf(gateway.CodeDateToNonValido, "Data fine non valida")
	}
	if !in.incremental { // whole days of payment
		from, to = midnight(from), midnight(to)
	}
	if to.Before(from) {
		return nil, gateway.Errorf(gateway.CodeIntervalloDateNonValido, "Intervallo date non valido")
	}
	if in.tipo != "" && in.tipo != gateway.ExportEnteSecondario {
		tipo, err := s.cache.tipo(ctx, s.enti, ente.ID, in.tipo)
		if err != nil {
			return nil, systemError(err)
		}
		if tipo == nil {
			return nil, gateway.Errorf(gateway.CodeTipoDovutoNonValido, "Tipo dovuto [%s] non valido per ente [%s]", in.tipo, codIpa)
		}
	}
	version := in.version
	if version == "" {
		version = "1.0"
	}
	if !slices.Contains(flussi.ExportVersions, version) {
		return nil, gateway.Errorf(gateway.CodeVersioneTracciato, "Versione tracciato [%s] non valida", version)
	}
	if in.passwordMypivot != "" && in.passwordMypivot != s.exports.passwordMypivot {
		return nil, gateway.Errorf(gateway.CodePasswordMypivotNonValida, "Password allineamento MyPivot non valida")
	}
	f := &gateway.ExportFlusso{Kind: gateway.ExportPagati, EnteID: ente.ID, CodIpa: ente.CodIpa,
		RequestToken: newRequestToken(), From: from, To: to, Incremental: in.incremental, Ricevuta: in.ricevuta,
		Mypivot: in.passwordMypivot != "", TipoDovuto: in.tipo, Version: version}
	if err := s.exports.store.CreateExport(ctx, f); err != nil {
		return nil, systemError(err)
	}
	return f, nil
}

// exportTime reads an xs:date (withTime false) or xs:dateTime in Rome;
// false when absent or unreadable, which MyPay's JAXB also turns into null.
func exportTime(s string, withTime bool) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	var (
		t   time.Time
		err error
	)
	if withTime {
		t, err = wire.DateTime(s).Time(gateway.Rome)
		if err != nil { // a date alone is a valid lexical dateTime prefix for many clients
			t, err = wire.Date(s).Time(gateway.Rome)
		}
	} else {
		t, err = wire.Date(s).Time(gateway.Rome)
	}
	return t, err == nil
}

// midnight is the start of t's day in Rome.
func midnight(t time.Time) time.Time {
	y, m, d := t.In(gateway.Rome).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, gateway.Rome)
}

// handleChiediStatoExport serves paaSILChiediStatoExportFlusso.
func (s *Service) handleChiediStatoExport(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
	name := respName(opChiediStatoExport)
	codIpa, ok := headerCodIpa(req)
	if !ok {
		return nil, name, errNoHeader
	}
	var w gensil.PaaSILChiediStatoExportFlusso
	if err := req.DecodeBody(&w); err != nil {
		return nil, name, err
	}
	ev := soap.EventFrom(ctx)
	ev.CodIpa = codIpa
	ente, f, gerr := s.findExport(ctx, codIpa, password(w.Password), trim(w.RequestToken), gateway.ExportPagati)
	if gerr != nil {
		fv := s.faultOf(opChiediStatoExport, codIpa, gerr)
		ev.FaultCode = fv.Code
		return &statoExportResponse{Fault: faultBean(fv)}, name, nil
	}
	r := &statoExportResponse{Stato: exportStato(f)}
	if r.Stato == string(gateway.ExportDone) {
		r.DownloadURL = flussi.DownloadURL(s.exports.signer, s.publicURL, ente.ID, flussi.TypeExport, f.Path)
	}
	ev.Esito = r.Stato
	return r, name, nil
}

// handlePrenotaExportScaduti serves paaSILPrenotaExportFlussoScaduti.
func (s *Service) handlePrenotaExportScaduti(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
	name := respName(opPrenotaExportScaduti)
	codIpa, ok := headerCodIpa(req)
	if !ok {
		return nil, name, errNoHeader
	}
	var w gensil.PaaSILPrenotaExportFlussoScaduti
	if err := req.DecodeBody(&w); err != nil {
		return nil, name, err
	}
	ev := soap.EventFrom(ctx)
	ev.CodIpa = codIpa
	f, gerr := s.prenotaScaduti(ctx, codIpa, password(w.Password), string(w.DataScadenza), w.TipiDovuto)
	if gerr != nil {
		fv := s.faultOf(opPrenotaExportScaduti, codIpa, gerr)
		ev.FaultCode = fv.Code
		return &prenotaExportResponse{Fault: faultBean(fv)}, name, nil
	}
	return &prenotaExportResponse{RequestToken: f.RequestToken}, name, nil
}

// prenotaScaduti books a SCADUTI export (mypay-sil §2.14).
func (s *Service) prenotaScaduti(ctx context.Context, codIpa, pw, data, tipiDovuto string) (*gateway.ExportFlusso, *gateway.Error) {
	ente, gerr := s.verificaEnte(ctx, codIpa, pw)
	if gerr != nil {
		return nil, gerr
	}
	due, ok := exportTime(data, false)
	if !ok {
		return nil, gateway.Errorf(gateway.CodeDateFromNonValido, "Data inizio non valida")
	}
	var tipi []string
	for _, t := range strings.Split(tipiDovuto, ";") {
		t = strings.TrimSpace(t)
		if t == "" || slices.Contains(tipi, t) {
			continue
		}
		tipo, err := s.cache.tipo(ctx, s.enti, ente.ID, t)
		if err != nil {
			return nil, systemError(err)
		}
		if tipo == nil {
			return nil, gateway.Errorf(gateway.CodeTipoDovutoNonValido, "Tipo dovuto [%s] non valido per ente [%s]", t, codIpa)
		}
		tipi = append(tipi, t)
	}
	if len(tipi) == 0 {
		return nil, gateway.Errorf(gateway.CodeTipoDovutoNonInserito, "Nessun tipo dovuto inserito")
	}
	f := &gateway.ExportFlusso{Kind: gateway.ExportScaduti, EnteID: ente.ID, CodIpa: ente.CodIpa,
		RequestToken: newRequestToken(), From: due, To: due, TipoDovuto: strings.Join(tipi, ";"), Version: "1.0"}
	if err := s.exports.store.CreateExport(ctx, f); err != nil {
		return nil, systemError(err)
	}
	return f, nil
}

// handleChiediStatoExportScaduti serves paaSILChiediStatoExportFlussoScaduti.
func (s *Service) handleChiediStatoExportScaduti(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
	name := respName(opChiediStatoExportScaduti)
	codIpa, ok := headerCodIpa(req)
	if !ok {
		return nil, name, errNoHeader
	}
	var w gensil.PaaSILChiediStatoExportFlussoScaduti
	if err := req.DecodeBody(&w); err != nil {
		return nil, name, err
	}
	ev := soap.EventFrom(ctx)
	ev.CodIpa = codIpa
	ente, f, gerr := s.findExport(ctx, codIpa, password(w.Password), trim(w.RequestToken), gateway.ExportScaduti)
	if gerr != nil {
		fv := s.faultOf(opChiediStatoExportScaduti, codIpa, gerr)
		ev.FaultCode = fv.Code
		return &statoScadutiResponse{Fault: faultBean(fv)}, name, nil
	}
	r := &statoScadutiResponse{Stato: exportStato(f)}
	if r.Stato == string(gateway.ExportDone) {
		r.NomeFile = path.Base(f.Path)
		r.PathFile = f.Path
		r.DownloadURL = flussi.DownloadURL(s.exports.signer, s.publicURL, ente.ID, flussi.TypeExportScaduti, f.Path)
	}
	ev.Esito = r.Stato
	return r, name, nil
}

// findExport is the status operations' check: ente and password (not its
// state), then the token, which must be the ente's and of kind.
func (s *Service) findExport(ctx context.Context, codIpa, pw, token string, kind gateway.ExportKind) (*gateway.Ente, *gateway.ExportFlusso, *gateway.Error) {
	ente, gerr := s.checkEnteInvia(ctx, codIpa, pw, false)
	if gerr != nil {
		return nil, nil, gerr
	}
	f, err := s.exports.store.FindExportByToken(ctx, token)
	switch {
	case errors.Is(err, gateway.ErrNotFound) || err == nil && f.Kind != kind:
		return nil, nil, gateway.Errorf(gateway.CodeRequestTokenNonValido, "nessun record trovato per Ente [%s] e requestToken [%s]", codIpa, token)
	case err != nil:
		return nil, nil, systemError(err)
	case f.EnteID != ente.ID:
		return nil, nil, gateway.Errorf(gateway.CodeRequestTokenNonValido, "Ente [%s] non autorizzato per requestToken [%s]", codIpa, token)
	}
	return ente, f, nil
}

// exportStato is the stato answered: EXPORT_ESEGUITO without a file is
// EXPORT_ESEGUITO_NESSUN_DOVUTO_TROVATO.
func exportStato(f *gateway.ExportFlusso) string {
	if f.State == gateway.ExportDone && f.Path == "" {
		return string(gateway.ExportEmpty)
	}
	return string(f.State)
}
