package papernodo

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/gateway/xsdvalid"
	psp "github.com/ponte-pagopa/ponte/generated/papernodopsp"
)

// pspSchema holds the bodies of PaPerNodoPagamentoPsp.wsdl.
const pspSchema = "papernodopsp-types.xsd"

// Modello3Store is what paaVerificaRPT and paaAttivaRPT read and write.
type Modello3Store interface {
	FindDovutoByIUV(ctx context.Context, enteID int64, iuv string) (*gateway.Dovuto, error)
	gateway.ActivationStore
}

// notice is the intestazionePPT of a paaVerificaRPT or paaAttivaRPT: the
// IUV of the avviso and the CCP the PSP made up.
type notice struct {
	Intermediario, Stazione, Dominio, IUV, CCP string
}

// decodePSPBody reads the body of req into v (a generated request type)
// after validating it against papernodopsp-types.xsd. A body that is not
// XML is a SOAP fault; one the schema refuses is PAA_SINTASSI_EXTRAXSD.
func (s *Service) decodePSPBody(req *soap.Request, v any) error {
	var el element
	if err := req.DecodeBody(&el); err != nil {
		return err
	}
	doc := el.Document()
	if err := s.psp.ValidateBytes(doc); err != nil {
		var ve *xsdvalid.ValidationError
		if errors.As(err, &ve) {
			return fault(CodeSintassiExtraXSD, "richiesta non valida rispetto a PaPerNodoPagamentoPsp.wsdl: "+ve.Error())
		}
		return fault(CodeSintassiExtraXSD, "richiesta non leggibile: "+err.Error())
	}
	if err := xml.Unmarshal(doc, v); err != nil {
		return fault(CodeSintassiExtraXSD, "richiesta non leggibile: "+err.Error())
	}
	return nil
}

// noticeOf reads the header; faultBean.id is its dominio even when
// something else in it is wrong.
func noticeOf(req *soap.Request) (notice, error) {
	h, err := headerFrom(req.HeaderElements)
	n := notice{
		Intermediario: string(h.IdentificativoIntermediarioPA),
		Stazione:      string(h.IdentificativoStazioneIntermediarioPA),
		Dominio:       strings.TrimSpace(string(h.IdentificativoDominio)),
		IUV:           string(h.IdentificativoUnivocoVersamento),
		CCP:           string(h.CodiceContestoPagamento),
	}
	return n, err
}

// legacyEnte checks the header against Ponte's configuration: the dominio
// is an ente's (PAA_ID_DOMINIO_ERRATO), with its intermediario
// (PAA_ID_INTERMEDIARIO_ERRATO) and stazione (PAA_STAZIONE_INT_ERRATA),
// and that station is on the RPT/RT model: an ente on the modello unico
// is paid through paForNode, so its station is the wrong one here
// (PAA_STAZIONE_INT_ERRATA, as paForNode answers the opposite case).
func (s *Service) legacyEnte(ctx context.Context, n notice) (*gateway.Ente, error) {
	e, err := s.entiCF.byCodiceFiscale(ctx, s.enti, n.Dominio)
	if errors.Is(err, gateway.ErrNotFound) {
		return nil, fault(CodeIDDominioErrato, fmt.Sprintf("il dominio %s non è un ente servito da Ponte", n.Dominio))
	}
	if err != nil {
		return nil, err
	}
	if n.Intermediario != e.IntermediaryID {
		return nil, fault(CodeIDIntermediarioErrato,
			fmt.Sprintf("identificativoIntermediarioPA %s non è l'intermediario del dominio %s", n.Intermediario, n.Dominio))
	}
	if n.Stazione != e.StationID {
		return nil, fault(CodeStazioneIntErrata,
			fmt.Sprintf("identificativoStazioneIntermediarioPA %s non è la stazione del dominio %s", n.Stazione, n.Dominio))
	}
	if e.ModelloUnico() {
		return nil, fault(CodeStazioneIntErrata,
			fmt.Sprintf("la stazione %s del dominio %s è sul modello unico: l'avviso si paga con paVerifyPaymentNotice e paGetPaymentV2", n.Stazione, n.Dominio))
	}
	return e, nil
}

// pspFaultOf logs err and returns the fault to answer for op.
func (s *Service) pspFaultOf(ctx context.Context, op string, err error, ev *gateway.Event) *gateway.Error {
	var ge *gateway.Error
	if !errors.As(err, &ge) {
		s.log.Error("papernodo: "+op+" failed", "codIpa", ev.CodIpa, "iuv", ev.IUV, "ccp", ev.CCP, "err", err)
		return fault(CodeSystemError, "errore interno di Ponte: riprovare più tardi")
	}
	level := slog.LevelInfo
	switch ge.Code {
	case CodeSystemError:
		level = slog.LevelError
	case CodeSintassiExtraXSD, CodeSemantica, CodeIDDominioErrato, CodeIDIntermediarioErrato, CodeStazioneIntErrata,
		CodeImportoNonValido:
		level = slog.LevelWarn
	}
	s.log.Log(ctx, level, "papernodo: "+op+" answered KO", "codIpa", ev.CodIpa, "iuv", ev.IUV, "ccp", ev.CCP,
		"faultCode", ge.Code, "description", ge.Description)
	return ge
}

// pspFaultBean is faultBean for the PaPerNodoPagamentoPsp types.
func pspFaultBean(e *gateway.Error, id string) *psp.FaultBean {
	fb := &psp.FaultBean{FaultCode: e.Code, FaultString: e.String, Id: id, Description: e.Description}
	if e.Serial != nil {
		n := int32(*e.Serial)
		fb.Serial = &n
	}
	return fb
}
