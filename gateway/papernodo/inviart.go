package papernodo

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/rpt"
	"github.com/ponte-pagopa/ponte/gateway/soap"
)

// handleInviaRT serves paaInviaRT. Only an envelope that is not XML, or
// is cut short, gets a SOAP fault (the node then retries, as for any
// unreadable answer); everything else gets paaInviaRTRisposta.
func (s *Service) handleInviaRT(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
	var el element
	if err := req.DecodeBody(&el); err != nil {
		return nil, nameInviaRTRisposta, err
	}
	ev := soap.EventFrom(ctx)
	id, err := s.receive(ctx, req.HeaderElements, el, ev)
	if err == nil {
		ev.Esito = esitoOK
		return inviaRTRisposta(nil, id), nameInviaRTRisposta, nil
	}
	var ge *gateway.Error
	if !errors.As(err, &ge) {
		// Ponte's own failure (its database away): a SOAP Server fault,
		// which every node retries (a malformed answer for the legacy
		// node, a non-2xx for wisp-converter), where a KO with
		// PAA_SYSTEM_ERROR would end the legacy node's deliveries
		// (pagopa-node.md §11.1–§11.2). Recovery is the backstop.
		s.log.Error("papernodo: paaInviaRT failed, answering a SOAP fault so that the node retries",
			"codIpa", ev.CodIpa, "iuv", ev.IUV, "ccp", ev.CCP, "err", err)
		ev.Esito, ev.FaultCode = esitoKO, soap.FaultServer
		return nil, nameInviaRTRisposta, &soap.Fault{Code: soap.FaultServer, String: "errore interno di Ponte: ripetere l'invio"}
	}
	ge = s.faultOf(ctx, err, ev)
	ev.Esito, ev.FaultCode = esitoKO, ge.Code
	return inviaRTRisposta(ge, id), nameInviaRTRisposta, nil
}

// faultOf logs err and returns the fault to answer: a *gateway.Error as it
// is, anything else as PAA_SYSTEM_ERROR (the node retries those).
func (s *Service) faultOf(ctx context.Context, err error, ev *gateway.Event) *gateway.Error {
	attrs := []any{slog.String("codIpa", ev.CodIpa), slog.String("iuv", ev.IUV), slog.String("ccp", ev.CCP)}
	var ge *gateway.Error
	if !errors.As(err, &ge) {
		s.log.Error("papernodo: paaInviaRT failed", append(attrs, slog.Any("err", err))...)
		return fault(CodeSystemError, "errore interno di Ponte: ripetere l'invio più tardi")
	}
	level := slog.LevelWarn
	if ge.Code == CodeRTDuplicata {
		level = slog.LevelInfo // the node retrying after a lost answer: expected
	}
	if ge.Code == CodeSystemError {
		level = slog.LevelError
	}
	s.log.Log(ctx, level, "papernodo: RT refused",
		append(attrs, slog.String("faultCode", ge.Code), slog.String("description", ge.Description), slog.Any("err", ge.Err))...)
	return ge
}

// receive runs the paaInviaRT ladder and returns faultBean.id (the
// header's identificativoDominio, "" without one) and nil once the RT is
// stored, or the error to answer:
//  1. envelope (PAA_SINTASSI_EXTRAXSD), tipoFirma (PAA_TIPOFIRMA_SCONOSCIUTO)
//     and the RT against its schema (PAA_SINTASSI_XSD);
//  2. the header against Ponte's configuration: the dominio is an ente's
//     (PAA_ID_DOMINIO_ERRATO), with its intermediario
//     (PAA_ID_INTERMEDIARIO_ERRATO) and stazione (PAA_STAZIONE_INT_ERRATA);
//  3. the header against the RT (PAA_SEMANTICA);
//  4. the payment and its RPT (PAA_RPT_SCONOSCIUTA), then the RT against
//     the RPT as policy.go decides (PAA_RPT_SCONOSCIUTA, PAA_SEMANTICA);
//  5. RecordRT, committed before the answer: the same RT again is
//     PAA_RT_DUPLICATA, a store failure PAA_SYSTEM_ERROR.
func (s *Service) receive(ctx context.Context, headers []soap.Element, el element, ev *gateway.Event) (id string, err error) {
	body, bodyErr := bodyFrom(el)
	h, headErr := headerFrom(headers)
	id = strings.TrimSpace(string(h.IdentificativoDominio))
	ev.IUV = strings.TrimSpace(string(h.IdentificativoUnivocoVersamento))
	ev.CCP = strings.TrimSpace(string(h.CodiceContestoPagamento))
	if bodyErr != nil {
		return id, bodyErr
	}
	if headErr != nil {
		return id, headErr
	}
	d := deliveryOf(h, body)

	// tipoFirma first: a signed RT is an envelope, not an RT, and would
	// otherwise be reported as a schema error.
	if d.TipoFirma != "" && d.TipoFirma != "0" {
		return id, fault(CodeTipoFirmaSconosciuto,
			fmt.Sprintf("tipoFirma %s non gestito: Ponte accetta solo RT non firmate (tipoFirma vuoto o 0)", printable(d.TipoFirma)))
	}
	rt, err := rpt.ParseRT(d.RT)
	if err != nil {
		var se *rpt.SchemaError
		if !errors.As(err, &se) {
			return id, err
		}
		if len(strings.TrimSpace(string(d.RT))) == 0 {
			return id, fault(CodeSintassiXSD, "rt vuoto: manca la RT")
		}
		return id, fault(CodeSintassiXSD, "RT non valida rispetto a PagInf_RPT_RT_6_2_0: "+se.Err.Error())
	}

	ente, err := s.requestingEnte(ctx, d.Dominio, d.IUV, d.CCP)
	if errors.Is(err, gateway.ErrNotFound) {
		return id, fault(CodeIDDominioErrato, fmt.Sprintf("il dominio %s non è un ente servito da Ponte", d.Dominio))
	}
	if err != nil {
		return id, err
	}
	ev.CodIpa = ente.CodIpa
	if d.Intermediario != ente.IntermediaryID {
		return id, fault(CodeIDIntermediarioErrato,
			fmt.Sprintf("identificativoIntermediarioPA %s non è l'intermediario del dominio %s", d.Intermediario, d.Dominio))
	}
	if d.Stazione != ente.StationID {
		return id, fault(CodeStazioneIntErrata,
			fmt.Sprintf("identificativoStazioneIntermediarioPA %s non è la stazione del dominio %s", d.Stazione, d.Dominio))
	}

	for _, c := range []struct{ name, head, rt string }{
		{"identificativoDominio", d.Dominio, rt.Dominio},
		{"identificativoUnivocoVersamento", d.IUV, rt.IUV},
		{"codiceContestoPagamento", d.CCP, rt.CCP},
	} {
		if c.head != c.rt {
			return id, fault(CodeSemantica, fmt.Sprintf("%s: l'intestazione indica %s, la RT %s", c.name, c.head, c.rt))
		}
	}

	outcome, err := s.record(ctx, *d, rt, ente)
	if err != nil {
		return id, err
	}
	switch outcome {
	case gateway.RTDuplicate:
		return id, fault(CodeRTDuplicata,
			fmt.Sprintf("RT %s per dominio %s, IUV %s, CCP %s già ricevuta", rt.IdentificativoMessaggioRicevuta, d.Dominio, d.IUV, d.CCP))
	case gateway.RTStored, gateway.RTSuperseded:
		return id, nil
	}
	return id, fmt.Errorf("papernodo: RecordRT returned unknown outcome %d", outcome)
}

// record stores an RT already decoded and checked against its delivery:
// it must answer an RPT of Ponte, and echo it as the rules require. Faults
// come back as errors in the PaPerNodo shape.
func (s *Service) record(ctx context.Context, d delivery, rt *rpt.Receipt, ente *gateway.Ente) (gateway.RTOutcome, error) {
	p, err := s.carts.FindPayment(ctx, d.Dominio, d.IUV, d.CCP)
	if errors.Is(err, gateway.ErrNotFound) || (err == nil && len(p.RPT) == 0) {
		return 0, fault(CodeRPTSconosciuta,
			fmt.Sprintf("nessuna RPT di Ponte per dominio %s, IUV %s, CCP %s", d.Dominio, d.IUV, d.CCP))
	}
	if err != nil {
		return 0, err
	}
	// Ponte built and validated this RPT before storing it: decode only.
	sent, err := rpt.DecodeTrustedRPT(p.RPT)
	if err != nil {
		return 0, fmt.Errorf("papernodo: stored RPT of payment %d: %w", p.ID, err)
	}
	refuse, warn := judge(rt, rpt.Check(sent, rt))
	if len(warn) > 0 {
		s.log.Warn("papernodo: RT accepted although it does not echo its RPT",
			slog.Int64("payment", p.ID), slog.String("codIpa", ente.CodIpa), slog.String("iuv", d.IUV),
			slog.String("ccp", d.CCP), slog.String("violations", describe(warn)))
	}
	if refuse != nil {
		return 0, fault(refuse.Code(), "RT non coerente con la RPT: "+describe(refuse.Violations))
	}

	outcome, err := s.carts.RecordRT(ctx, p.ID, &gateway.Receipt{
		PaymentID:  p.ID,
		Esito:      esitoOf(rt.Esito),
		Amount:     rt.ImportoTotalePagato,
		MessageID:  rt.IdentificativoMessaggioRicevuta,
		IssuedAt:   rt.DataOra,
		TipoFirma:  d.TipoFirma,
		RT:         d.RT,
		ReceivedAt: s.clock.Now(),
	})
	if err != nil {
		return 0, fmt.Errorf("papernodo: recording RT of payment %d: %w", p.ID, err)
	}
	if outcome == gateway.RTStored || outcome == gateway.RTSuperseded {
		s.log.Info("papernodo: RT stored", slog.Int64("payment", p.ID), slog.String("codIpa", ente.CodIpa),
			slog.String("iuv", d.IUV), slog.String("ccp", d.CCP), slog.String("esito", esitoOf(rt.Esito)),
			slog.Bool("superseded", outcome == gateway.RTSuperseded))
	}
	return outcome, nil
}

// RecoverRT stores an RT Ponte fetched itself (nodoChiediCopiaRT) for the
// RPT (dominio, iuv, ccp), with every check paaInviaRT makes on the
// content; the outcome says whether it was new. A fault error means the
// node's copy is not acceptable.
func (s *Service) RecoverRT(ctx context.Context, dominio, iuv, ccp, tipoFirma string, doc []byte) (gateway.RTOutcome, error) {
	if tipoFirma != "" && tipoFirma != "0" {
		return 0, fault(CodeTipoFirmaSconosciuto, "tipoFirma "+printable(tipoFirma)+" non gestito")
	}
	rt, err := rpt.ParseRT(doc)
	if err != nil {
		return 0, fmt.Errorf("papernodo: copy of the RT of %s/%s/%s: %w", dominio, iuv, ccp, err)
	}
	if rt.Dominio != dominio || rt.IUV != iuv || rt.CCP != ccp {
		return 0, fault(CodeSemantica, fmt.Sprintf("la copia della RT è di %s/%s/%s", rt.Dominio, rt.IUV, rt.CCP))
	}
	ente, err := s.requestingEnte(ctx, dominio, iuv, ccp)
	if err != nil {
		return 0, err
	}
	return s.record(ctx, delivery{Dominio: dominio, IUV: iuv, CCP: ccp, TipoFirma: tipoFirma, RT: doc}, rt, ente)
}

// esitoOf maps codiceEsitoPagamento to the domain's esito.
func esitoOf(e rpt.Esito) string {
	switch e {
	case rpt.EsitoEseguito:
		return gateway.EsitoEseguito
	case rpt.EsitoNonEseguito:
		return gateway.EsitoNonEseguito
	case rpt.EsitoParziale:
		return gateway.EsitoParzialmente
	case rpt.EsitoDecorrenza:
		return gateway.EsitoDecorrenzaTermini
	case rpt.EsitoDecorrenzaParziale:
		return gateway.EsitoDecorrenzaParziale
	}
	return strconv.Itoa(int(e))
}

// requestingEnte is the ente whose station the RT must come through: the
// dominio's own, or — for the secondary beneficiary of a multi-beneficiary
// cart, which Ponte does not serve — the ente that sent the cart, since the
// node returns every RT of a cart to the requesting station.
func (s *Service) requestingEnte(ctx context.Context, dominio, iuv, ccp string) (*gateway.Ente, error) {
	ente, err := s.entiCF.byCodiceFiscale(ctx, s.enti, dominio)
	if !errors.Is(err, gateway.ErrNotFound) {
		return ente, err
	}
	p, perr := s.carts.FindPayment(ctx, dominio, iuv, ccp)
	if perr != nil || p.EnteID != 0 {
		return nil, err // still ErrNotFound: unknown dominio
	}
	cart, cerr := s.carts.FindCartByID(ctx, p.CartID)
	if cerr != nil {
		return nil, cerr
	}
	if !cart.MultiBeneficiary {
		return nil, err
	}
	return s.enti.FindEnte(ctx, cart.CodIpa)
}
