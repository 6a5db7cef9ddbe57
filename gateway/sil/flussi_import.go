package sil

import (
	"context"
	"crypto/rand"
	"encoding/xml"
	"errors"
	"fmt"
	"path"
	"strings"

	gensil "github.com/ponte-pagopa/ponte/generated/sil"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/avvisi"
	"github.com/ponte-pagopa/ponte/gateway/flussi"
	"github.com/ponte-pagopa/ponte/gateway/signed"
	"github.com/ponte-pagopa/ponte/gateway/soap"
)

const (
	opAutorizzaImport   = "paaSILAutorizzaImportFlusso"
	opChiediStatoImport = "paaSILChiediStatoImportFlusso"
	// importPath is MyPay's informational importPath ("/" + mypay.path.import.dovuti).
	importPath = "/IMPORT"
)

// importFlussi is what the two import operations need.
type importFlussi struct {
	store  gateway.ImportStore
	signer *signed.Signer
}

// EnableImport turns on paaSILAutorizzaImportFlusso and
// paaSILChiediStatoImportFlusso; call it before Register. The upload URL
// and result links are built on the service's PublicURL and signed with
// signer, which the upload and download handlers must share.
func (s *Service) EnableImport(store gateway.ImportStore, signer *signed.Signer) {
	s.imports = &importFlussi{store: store, signer: signer}
}

type autorizzaImportResponse struct {
	Fault              *gensil.FaultBean `xml:"fault,omitempty"`
	UploadURL          string            `xml:"uploadUrl,omitempty"`
	AuthorizationToken string            `xml:"authorizationToken,omitempty"`
	RequestToken       string            `xml:"requestToken,omitempty"`
	ImportPath         string            `xml:"importPath,omitempty"`
}

var nameAutorizzaImportRisposta = xml.Name{Space: NS, Local: opAutorizzaImport + "Risposta"}

// handleAutorizzaImport serves paaSILAutorizzaImportFlusso: no row is
// created until the upload.
func (s *Service) handleAutorizzaImport(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
	codIpa, ok := headerCodIpa(req)
	if !ok {
		return nil, nameAutorizzaImportRisposta, errNoHeader
	}
	var w gensil.PaaSILAutorizzaImportFlusso
	if err := req.DecodeBody(&w); err != nil {
		return nil, nameAutorizzaImportRisposta, err
	}
	ev := soap.EventFrom(ctx)
	ev.CodIpa = codIpa
	if _, gerr := s.checkEnteInvia(ctx, codIpa, password(w.Password), false); gerr != nil {
		f := s.faultOf(opAutorizzaImport, codIpa, gerr)
		ev.FaultCode = f.Code
		return &autorizzaImportResponse{Fault: faultBean(f)}, nameAutorizzaImportRisposta, nil
	}
	token := newRequestToken()
	return &autorizzaImportResponse{
		UploadURL:          s.publicURL + flussi.UploadPath,
		AuthorizationToken: flussi.UploadToken(s.imports.signer, codIpa, token),
		RequestToken:       token,
		ImportPath:         importPath,
	}, nameAutorizzaImportRisposta, nil
}

type statoImportResponse struct {
	Fault         *gensil.FaultBean `xml:"fault,omitempty"`
	Stato         string            `xml:"stato,omitempty"`
	URLFileScarti string            `xml:"urlFileScarti,omitempty"`
	URLFileIUV    string            `xml:"urlFileIUV,omitempty"`
	URLFileAvvisi string            `xml:"urlFileAvvisi,omitempty"`
}

var nameStatoImportRisposta = xml.Name{Space: NS, Local: opChiediStatoImport + "Risposta"}

// handleChiediStatoImport serves paaSILChiediStatoImportFlusso.
func (s *Service) handleChiediStatoImport(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
	codIpa, ok := headerCodIpa(req)
	if !ok {
		return nil, nameStatoImportRisposta, errNoHeader
	}
	var w gensil.PaaSILChiediStatoImportFlusso
	if err := req.DecodeBody(&w); err != nil {
		return nil, nameStatoImportRisposta, err
	}
	ev := soap.EventFrom(ctx)
	ev.CodIpa = codIpa
	resp, gerr := s.statoImport(ctx, codIpa, &w)
	if gerr != nil {
		f := s.faultOf(opChiediStatoImport, codIpa, gerr)
		ev.FaultCode = f.Code
		return &statoImportResponse{Fault: faultBean(f)}, nameStatoImportRisposta, nil
	}
	ev.Esito = resp.Stato
	return resp, nameStatoImportRisposta, nil
}

func (s *Service) statoImport(ctx context.Context, codIpa string, w *gensil.PaaSILChiediStatoImportFlusso) (*statoImportResponse, *gateway.Error) {
	ente, gerr := s.checkEnteInvia(ctx, codIpa, password(w.Password), false)
	if gerr != nil {
		return nil, gerr
	}
	token := trim(w.RequestToken)
	f, err := s.imports.store.FindImportByToken(ctx, token)
	switch {
	case errors.Is(err, gateway.ErrNotFound):
		return nil, gateway.Errorf(gateway.CodeRequestTokenNonValido, "nessun record trovato per Ente [%s] e requestToken [%s]", codIpa, token)
	case err != nil:
		return nil, systemError(err)
	case f.EnteID != ente.ID:
		return nil, gateway.Errorf(gateway.CodeRequestTokenNonValido, "Ente [%s] non autorizzato per requestToken [%s]", codIpa, token)
	}
	r := &statoImportResponse{Stato: string(f.State)}
	if f.ErrorCode != "" {
		r.Stato = f.ErrorCode
		return r, nil
	}
	if f.State != gateway.ImportDone {
		return r, nil
	}
	if w.FileScarti != nil && *w.FileScarti && f.ScartiPath != "" {
		r.URLFileScarti = flussi.DownloadURL(s.imports.signer, s.publicURL, ente.ID, flussi.TypeImport, f.ScartiPath)
	}
	if w.FileIUV != nil && *w.FileIUV && f.IUVPath != "" {
		r.URLFileIUV = flussi.DownloadURL(s.imports.signer, s.publicURL, ente.ID, flussi.TypeImport, f.IUVPath)
	}
	// The avvisi, for the versions that can ask for IUVs (1_3, 1_4), of a
	// flusso that imported rows; rendered when downloaded.
	if w.FileAvvisi != nil && *w.FileAvvisi && f.IUVPath != "" && (f.Version == "1_3" || f.Version == "1_4") {
		name := strings.TrimSuffix(path.Base(f.IUVPath), "_IUV.zip") + "_AVVISI_PDF.zip"
		r.URLFileAvvisi = avvisi.FlussoURL(s.imports.signer, s.publicURL, ente.CodIpa, f.ID, name, flussi.DownloadTTL)
	}
	return r, nil
}

// password is the optional wire password as the checks take it: MyPay
// compares an absent one as empty.
func password(p gensil.StPassword) string { return string(p) }

// newRequestToken is a random UUID, as MyPay's.
func newRequestToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
