package checkout

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/node"
)

// pay prepares the cart's RPTs, stores them and sends them to the node,
// then sends the browser to the node's page.
//
// What the cart ends as:
//   - the node accepted: PAGAM_IN_CORSO with the node's URL and session;
//   - the node refused (*node.NodeFault), or did not take the request
//     (*node.TransportError with Sent false, or HTTP 503/429: see
//     notProcessed): IMPOSSIBILE_INVIARE_RP;
//   - the request went out but no answer came back (Sent true, or any
//     other failure after the call began): the RPT may have been accepted
//     and its RT may still come, so the cart is marked sent with no URL
//     (PAGAM_IN_CORSO, payments RPT_INVIATA) where RecordRT accepts a
//     late RT. The citizen is told the outcome will reach the ente. If the
//     node never had it, no RT comes and only nodoChiediStatoRPT
//     (PPT_RPT_SCONOSCIUTA) can settle it: a reconciliation job's work.
//
// Ponte's own failures before the call (store, IUV reservation) leave the
// cart PREDISPOSTO and unprepared: the citizen may try again.
func (s *Service) pay(c echo.Context, cart *gateway.Cart, email string) error {
	defer s.lockCart(cart.ID)()
	// Once started, a payment is carried to a recorded outcome even if
	// the citizen closes the page.
	ctx := context.WithoutCancel(c.Request().Context())
	cart, err := s.cfg.Carts.FindCart(ctx, cart.IDSession)
	if err != nil {
		s.log.Error("checkout: reloading cart", "err", err)
		return s.unavailable(c)
	}
	if cart.State != gateway.CartPredisposto || prepared(cart) {
		return s.statePage(c, cart)
	}
	if s.isExpired(cart) {
		return s.expire(c, cart)
	}
	log := s.log.With("cart", cart.IDSession, "codIpa", cart.CodIpa)

	sender, err := s.cfg.Enti.FindEnte(ctx, cart.CodIpa)
	if errors.Is(err, gateway.ErrNotFound) {
		err = cartErrorf("sending ente %q not registered", cart.CodIpa)
	}
	if err == nil {
		err = s.prepare(ctx, cart, sender, email)
	}
	var ce *cartError
	switch {
	case errors.As(err, &ce):
		log.Error("checkout: cart cannot become RPTs", "err", err)
		return s.fail(c, cart, gateway.CartNonInviabile, "RPT non costruibili: "+err.Error())
	case err != nil:
		log.Error("checkout: preparing cart", "err", err)
		return s.unavailable(c)
	}

	err = s.cfg.Carts.PrepareCart(ctx, cart)
	var ge *gateway.Error
	switch {
	case errors.As(err, &ge) && ge.Code == gateway.CodeIUDDuplicato:
		log.Warn("checkout: duplicate IUD at prepare", "err", err)
		return s.fail(c, cart, gateway.CartAbort, ge.String)
	case errors.Is(err, gateway.ErrConflict):
		fresh, ferr := s.cfg.Carts.FindCart(ctx, cart.IDSession)
		if ferr != nil {
			log.Error("checkout: reloading cart", "err", ferr)
			return s.unavailable(c)
		}
		if fresh.State != gateway.CartPredisposto || prepared(fresh) {
			return s.statePage(c, fresh)
		}
		// Still ours to decide: an existing dovuto is no longer payable.
		log.Warn("checkout: a dovuto of the cart is no longer payable", "err", err)
		return s.fail(c, fresh, gateway.CartAbort, "dovuto non più pagabile")
	case err != nil:
		log.Error("checkout: storing prepared cart", "err", err)
		return s.unavailable(c)
	}

	if sender.ModelloUnico() {
		return s.payCheckout(c, ctx, cart, sender, log)
	}
	nodeURL, err := s.send(ctx, cart, sender)
	var (
		nf *node.NodeFault
		te *node.TransportError
	)
	switch {
	case err == nil:
		if merr := s.cfg.Carts.MarkCartSent(ctx, cart.ID, nodeURL, nodeSession(nodeURL)); merr != nil {
			// The node holds the RPTs and the citizen can pay: go on.
			// The cart stays prepared (never sent again) and its RT is
			// matched by (dominio, IUV, CCP).
			log.Error("checkout: recording the node's acceptance", "err", merr)
		}
		log.Info("checkout: cart sent", "nodeURL", nodeURL)
		if nodeURL == "" {
			return s.message(c, http.StatusOK, s.noURLPage(cart))
		}
		return c.Redirect(http.StatusSeeOther, nodeURL)
	case errors.As(err, &nf):
		log.Warn("checkout: node refused the cart", "faultCode", nf.Code(), "err", err)
		return s.fail(c, cart, gateway.CartNonInviabile, faultReason(nf))
	case errors.As(err, &te) && notProcessed(te):
		log.Warn("checkout: node not reached", "err", err)
		return s.fail(c, cart, gateway.CartNonInviabile, limit("nodo non raggiungibile: "+te.Error()))
	default:
		log.Error("checkout: node outcome unknown, waiting for an RT", "err", err)
		if merr := s.cfg.Carts.MarkCartSent(ctx, cart.ID, "", ""); merr != nil {
			log.Error("checkout: recording the unknown outcome", "err", merr)
		}
		m := messagePage{
			Heading: "Esito del pagamento in attesa",
			State:   stateLabel(gateway.CartInCorso),
			Paragraphs: []string{
				"pagoPA non ha risposto in tempo e non sappiamo se il pagamento è stato avviato.",
				"Se lo è, l'ente riceverà l'esito da pagoPA. Prima di pagare di nuovo, verifica l'esito con l'ente.",
			},
		}
		m.backLink(cart, "ERROR")
		return s.message(c, http.StatusAccepted, m)
	}
}

// send hands the prepared cart to the node and returns the URL of the
// node's payment page.
func (s *Service) send(ctx context.Context, cart *gateway.Cart, sender *gateway.Ente) (string, error) {
	station := node.Station{IntermediarioPA: sender.IntermediaryID, StazionePA: sender.StationID, Password: sender.StationPassword}
	info := node.CallInfo{CodIpa: cart.CodIpa, IDSession: cart.IDSession}
	if single(cart) {
		p := cart.Payments[0]
		resp, err := s.cfg.Node.InviaRPT(ctx, node.InviaRPTRequest{
			Station: station, Dominio: p.Dominio, IUV: p.IUV, CCP: p.CCP, RPT: p.RPT, Info: info,
		})
		if err != nil {
			return "", err
		}
		return resp.URL, nil
	}
	req := node.InviaCarrelloRPTRequest{
		Station: station, IDCarrello: cart.IDCarrello, MultiBeneficiario: cart.MultiBeneficiary, Info: info,
	}
	for _, p := range cart.Payments {
		req.RPTs = append(req.RPTs, node.CarrelloRPT{Dominio: p.Dominio, IUV: p.IUV, CCP: p.CCP, RPT: p.RPT})
	}
	resp, err := s.cfg.Node.InviaCarrelloRPT(ctx, req)
	if err != nil {
		return "", err
	}
	return resp.URL, nil
}

// fail ends a cart that could not start and tells the citizen.
func (s *Service) fail(c echo.Context, cart *gateway.Cart, state gateway.CartState, reason string) error {
	ctx := context.WithoutCancel(c.Request().Context())
	if err := s.cfg.Carts.MarkCartFailed(ctx, cart.ID, state, limit(reason)); err != nil {
		s.log.Error("checkout: recording failed cart", "cart", cart.IDSession, "state", state, "err", err)
	}
	m := messagePage{
		Heading: "Non è stato possibile avviare il pagamento",
		State:   stateLabel(state),
		Paragraphs: []string{
			"Il pagamento non è partito e non ti è stato addebitato nulla.",
			"Torna al sito dell'ente e riprova più tardi. Se il problema si ripete, contatta l'ente.",
		},
	}
	if state == gateway.CartAbort {
		m.Paragraphs[0] = "Il pagamento non è partito perché uno dei dovuti risulta già inviato o non è più pagabile. Non ti è stato addebitato nulla."
	}
	m.backLink(cart, "ERROR")
	return s.message(c, http.StatusBadGateway, m)
}

// noURLPage: the node accepted the RPTs without a page for the citizen
// (payments that do not go through WISP).
func (s *Service) noURLPage(cart *gateway.Cart) messagePage {
	m := messagePage{
		Heading:    "Pagamento avviato",
		State:      stateLabel(gateway.CartInCorso),
		Paragraphs: []string{"pagoPA ha preso in carico il pagamento. L'ente riceverà l'esito appena disponibile."},
	}
	m.backLink(cart, "OK")
	return m
}

// notProcessed reports whether a transport failure certainly left the RPTs
// unknown to the node: the request never went out, or the node (or its
// gateway) answered that it was not serving it (503 Service Unavailable,
// 429 Too Many Requests, which by definition refuse before processing).
// Any other status or a timeout after sending may hide an acceptance.
func notProcessed(te *node.TransportError) bool {
	return !te.Sent || te.StatusCode == http.StatusServiceUnavailable || te.StatusCode == http.StatusTooManyRequests
}

// nodeSession is the node's idSession, carried by its redirect URL.
func nodeSession(nodeURL string) string {
	u, err := url.Parse(nodeURL)
	if err != nil {
		return ""
	}
	return u.Query().Get("idSession")
}

// faultReason is the cart's Error for a refusal: the node's code and text.
func faultReason(f *node.NodeFault) string {
	parts := []string{f.Code()}
	if f.FaultString != "" {
		parts = append(parts, f.FaultString)
	}
	if f.Description != "" && f.Description != f.FaultString {
		parts = append(parts, f.Description)
	}
	if len(f.RPTErrors) > 0 && f.RPTErrors[0].Serial != nil && f.Serial == nil {
		parts = append(parts, "RPT "+strconv.Itoa(*f.RPTErrors[0].Serial))
	} else if f.Serial != nil {
		parts = append(parts, "RPT "+strconv.Itoa(*f.Serial))
	}
	return limit(strings.Join(parts, ": "))
}

// limit keeps a stored reason short.
func limit(s string) string {
	const max = 500
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max])
}
