package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"net/url"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ponte-pagopa/ponte/gateway"
)

// Paths of the simulated Checkout.
const (
	// CheckoutAPIBase is the root of the carts API as a client configures
	// it (real: https://api.platform.pagopa.it/checkout/ec/v1).
	CheckoutAPIBase   = "/checkout/ec/v1"
	CheckoutCartsPath = CheckoutAPIBase + "/carts"
	// CheckoutPagePath + "/<uuid>" is the payment page a cart's Location
	// points at.
	CheckoutPagePath = "/checkout/c"
)

// maxCartNotices is CARTS_MAX_ALLOWED_PAYMENT_NOTICES.
const maxCartNotices = 5

// CartNotice is one paymentNotices item of a CartRequest.
type CartNotice struct {
	NoticeNumber string        `json:"noticeNumber"`
	FiscalCode   string        `json:"fiscalCode"`
	Amount       gateway.Cents `json:"amount"`
	CompanyName  string        `json:"companyName"`
	Description  string        `json:"description"`
}

// ReturnURLs are where the browser goes back, used verbatim.
type ReturnURLs struct {
	ReturnOkURL      string `json:"returnOkUrl"`
	ReturnCancelURL  string `json:"returnCancelUrl"`
	ReturnErrorURL   string `json:"returnErrorUrl"`
	ReturnWaitingURL string `json:"returnWaitingUrl,omitempty"`
}

// CartRequest is the body of POST /checkout/ec/v1/carts.
type CartRequest struct {
	PaymentNotices []CartNotice `json:"paymentNotices"`
	ReturnURLs     *ReturnURLs  `json:"returnUrls"`
	EmailNotice    string       `json:"emailNotice,omitempty"`
	IDCart         string       `json:"idCart,omitempty"`
	AllCCP         *bool        `json:"allCCP,omitempty"`
}

// Cart statuses.
const (
	CartOpen      = "OPEN"
	CartPaid      = "PAID"
	CartCancelled = "CANCELLED"
	CartError     = "ERROR"
)

// CartInfo is a cart as the control API shows it.
type CartInfo struct {
	ID        string         `json:"id"`
	Request   CartRequest    `json:"request"`
	Verified  []VerifyAnswer `json:"verified"`
	Status    string         `json:"status"`
	ReturnURL string         `json:"returnUrl,omitempty"` // where the browser was sent
	Detail    string         `json:"detail,omitempty"`    // why it ended in ERROR
	Receipts  []string       `json:"receipts,omitempty"`  // receiptIds
	Created   time.Time      `json:"created"`
	Expires   time.Time      `json:"expires"`
}

type cart struct {
	info    CartInfo
	closing bool
}

// Problem is the Problem JSON of Checkout's errors.
type Problem struct {
	Type   string `json:"type,omitempty"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
}

type problemError struct{ Problem }

func (p *problemError) Error() string { return p.Title + ": " + p.Detail }

func problem(status int, title, format string, args ...any) *problemError {
	return &problemError{Problem{Title: title, Status: status, Detail: fmt.Sprintf(format, args...)}}
}

func writeProblem(c echo.Context, p Problem) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return c.Blob(p.Status, "application/problem+json", b)
}

// CreateCart is POST /checkout/ec/v1/carts without HTTP: it checks the
// request as Checkout does, verifies every notice with its station
// (paVerifyPaymentNotice, as checkPosition) and keeps the cart for
// CartTTL. Errors are *problemError with 400, 422 or 502.
func (n *Node) CreateCart(ctx context.Context, req CartRequest) (CartInfo, error) {
	if err := checkCartRequest(req); err != nil {
		return CartInfo{}, err
	}
	if len(req.PaymentNotices) > maxCartNotices {
		return CartInfo{}, problem(http.StatusUnprocessableEntity, "Invalid payment info", "%d avvisi, al massimo %d", len(req.PaymentNotices), maxCartNotices)
	}
	seen := map[string]bool{}
	for _, pn := range req.PaymentNotices {
		k := pn.FiscalCode + pn.NoticeNumber
		if seen[k] {
			return CartInfo{}, problem(http.StatusUnprocessableEntity, "Invalid payment info", "avviso %s/%s ripetuto", pn.FiscalCode, pn.NoticeNumber)
		}
		seen[k] = true
		if _, ce := n.muStation(pn.FiscalCode); ce != nil {
			return CartInfo{}, problem(http.StatusUnprocessableEntity, "Invalid payment info", "%s", ce.desc)
		}
	}
	answers := make([]VerifyAnswer, len(req.PaymentNotices))
	var wg sync.WaitGroup
	for i, pn := range req.PaymentNotices {
		wg.Go(func() { answers[i] = n.verify(ctx, pn.FiscalCode, pn.NoticeNumber) })
	}
	wg.Wait()
	for i, a := range answers {
		pn := req.PaymentNotices[i]
		switch {
		case a.OK():
		case a.transport():
			return CartInfo{}, problem(http.StatusBadGateway, "Bad gateway", "avviso %s/%s: %s %s", pn.FiscalCode, pn.NoticeNumber, a.FaultCode, a.Description)
		default:
			return CartInfo{}, problem(http.StatusUnprocessableEntity, "Invalid payment info", "avviso %s/%s: %s %s", pn.FiscalCode, pn.NoticeNumber, a.FaultCode, a.Description)
		}
	}
	now := n.now()
	ci := CartInfo{ID: newID(), Request: req, Verified: answers, Status: CartOpen, Created: now, Expires: now.Add(n.cfg.CartTTL)}
	n.mu.Lock()
	n.addCartLocked(&cart{info: ci}, now)
	n.stats.PaForNode.Carts++
	n.mu.Unlock()
	return ci, nil
}

// checkCartRequest is the schema validation (400).
func checkCartRequest(r CartRequest) error {
	bad := func(format string, args ...any) error {
		return problem(http.StatusBadRequest, "Request validation error", format, args...)
	}
	if len(r.PaymentNotices) == 0 {
		return bad("paymentNotices: almeno un avviso")
	}
	for i, pn := range r.PaymentNotices {
		switch {
		case len(pn.NoticeNumber) != 18:
			return bad("paymentNotices[%d].noticeNumber: 18 caratteri", i)
		case len(pn.FiscalCode) != 11:
			return bad("paymentNotices[%d].fiscalCode: 11 caratteri", i)
		case pn.Amount < 1:
			return bad("paymentNotices[%d].amount: almeno 1", i)
		case pn.CompanyName == "" || len([]rune(pn.CompanyName)) > 140:
			return bad("paymentNotices[%d].companyName: da 1 a 140 caratteri", i)
		case pn.Description == "" || len([]rune(pn.Description)) > 140:
			return bad("paymentNotices[%d].description: da 1 a 140 caratteri", i)
		}
	}
	if r.ReturnURLs == nil {
		return bad("returnUrls mancante")
	}
	for name, u := range map[string]string{"returnOkUrl": r.ReturnURLs.ReturnOkURL, "returnCancelUrl": r.ReturnURLs.ReturnCancelURL,
		"returnErrorUrl": r.ReturnURLs.ReturnErrorURL, "returnWaitingUrl": r.ReturnURLs.ReturnWaitingURL} {
		if u == "" && name == "returnWaitingUrl" {
			continue
		}
		if p, err := url.Parse(u); err != nil || !p.IsAbs() || p.Host == "" {
			return bad("returnUrls.%s: URI assoluto richiesto", name)
		}
	}
	if r.EmailNotice != "" {
		if a, err := mail.ParseAddress(r.EmailNotice); err != nil || a.Address != r.EmailNotice {
			return bad("emailNotice: indirizzo non valido")
		}
	}
	return nil
}

// addCartLocked stores c, dropping expired carts and the oldest past
// MaxCarts.
func (n *Node) addCartLocked(c *cart, now time.Time) {
	m := &n.mu2
	m.carts[c.info.ID] = c
	m.cartOrder = append(m.cartOrder, c.info.ID)
	for len(m.cartOrder) > 0 {
		old := m.carts[m.cartOrder[0]]
		if old != nil && len(m.cartOrder) <= n.cfg.MaxCarts && now.Before(old.info.Expires) {
			break
		}
		delete(m.carts, m.cartOrder[0])
		m.cartOrder = m.cartOrder[1:]
	}
	if cap(m.cartOrder) > 2*len(m.cartOrder)+1024 {
		m.cartOrder = append([]string(nil), m.cartOrder...)
	}
}

// Cart returns a cart by id (expired ones included until evicted).
func (n *Node) Cart(id string) (CartInfo, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := n.mu2.carts[id]
	if c == nil {
		return CartInfo{}, false
	}
	ci := c.info
	ci.Receipts = append([]string(nil), ci.Receipts...)
	return ci, true
}

// Errors of the cart completion.
var (
	ErrUnknownCart = errors.New("sim: carrello sconosciuto o scaduto")
	ErrCartClosed  = errors.New("sim: carrello già concluso")
)

// Cart actions of the payment page.
const (
	CartActionPay    = "paga"
	CartActionCancel = "annulla"
	CartActionError  = "errore"
)

// CompleteCart ends an open cart as the person on the payment page would
// and returns it with the URL the browser goes back to. Pay activates
// every notice (paGetPaymentV2), then sends the receipts (in the
// background, per the receipts fault) and ends PAID at returnOkUrl; a
// failed activation ends ERROR at returnErrorUrl with nothing sent.
// Cancel ends at returnCancelUrl, Error at returnErrorUrl.
func (n *Node) CompleteCart(ctx context.Context, id, action string) (CartInfo, error) {
	n.mu.Lock()
	c := n.mu2.carts[id]
	switch {
	case c == nil || !n.now().Before(c.info.Expires):
		n.mu.Unlock()
		return CartInfo{}, ErrUnknownCart
	case c.info.Status != CartOpen || c.closing:
		ci := c.info
		n.mu.Unlock()
		return ci, ErrCartClosed
	}
	c.closing = true
	req, verified := c.info.Request, c.info.Verified
	n.mu.Unlock()

	status, ret, detail := "", "", ""
	var receipts []string
	switch action {
	case CartActionCancel:
		status, ret = CartCancelled, req.ReturnURLs.ReturnCancelURL
	case CartActionError:
		status, ret, detail = CartError, req.ReturnURLs.ReturnErrorURL, "errore di pagamento simulato"
	case CartActionPay:
		acts := make([]ActivationAnswer, len(req.PaymentNotices))
		for i, pn := range req.PaymentNotices {
			amount := verified[i].Amount
			if amount == 0 {
				amount = pn.Amount
			}
			acts[i] = n.activate(ctx, pn.FiscalCode, pn.NoticeNumber, amount, req.IDCart)
			if !acts[i].OK() {
				status, ret = CartError, req.ReturnURLs.ReturnErrorURL
				detail = fmt.Sprintf("attivazione %s/%s: %s %s", pn.FiscalCode, pn.NoticeNumber, acts[i].FaultCode, acts[i].Description)
				break
			}
		}
		if status == "" {
			status, ret = CartPaid, req.ReturnURLs.ReturnOkURL
			mode, delay := n.receiptFault()
			if mode == "" {
				mode = ReceiptNormal
			}
			for i, pn := range req.PaymentNotices {
				info := n.issueReceipt(ctx, payment{origin: "checkout", cart: id, cf: pn.FiscalCode, notice: pn.NoticeNumber,
					act: acts[i], note: req.IDCart, method: "creditCard", fee: 100, mode: mode, delay: delay})
				receipts = append(receipts, info.ReceiptID)
			}
		}
	default:
		n.mu.Lock()
		c.closing = false
		n.mu.Unlock()
		return CartInfo{}, badRequest("azione non valida: paga, annulla o errore")
	}

	n.mu.Lock()
	defer n.mu.Unlock()
	c.closing = false
	c.info.Status, c.info.ReturnURL, c.info.Detail, c.info.Receipts = status, ret, detail, receipts
	switch status {
	case CartPaid:
		n.stats.PaForNode.CheckoutPaid++
	case CartCancelled:
		n.stats.PaForNode.CheckoutCancelled++
	default:
		n.stats.PaForNode.CheckoutErrors++
	}
	ci := c.info
	ci.Receipts = append([]string(nil), receipts...)
	return ci, nil
}

// mountCheckout serves the carts API and the payment page.
func (n *Node) mountCheckout(e *echo.Echo) {
	e.POST(CheckoutCartsPath, func(c echo.Context) error {
		if status, delay := n.cartsFault(); status != 0 || delay > 0 {
			if delay > 0 && !sleep(c.Request().Context(), min(delay, maxDelay)) {
				return nil
			}
			if status != 0 {
				return writeProblem(c, Problem{Title: http.StatusText(status), Status: status, Detail: "errore simulato"})
			}
		}
		var req CartRequest
		dec := json.NewDecoder(io.LimitReader(c.Request().Body, maxAPIBody))
		if err := dec.Decode(&req); err != nil {
			return n.cartRefused(c, problem(http.StatusBadRequest, "Request validation error", "JSON non valido: %v", err))
		}
		ci, err := n.CreateCart(c.Request().Context(), req)
		if err != nil {
			return n.cartRefused(c, err)
		}
		c.Response().Header().Set("Location", n.cfg.BaseURL+CheckoutPagePath+"/"+ci.ID)
		return c.NoContent(http.StatusFound)
	})
	e.GET(CheckoutPagePath+"/:id", func(c echo.Context) error {
		ci, ok := n.Cart(c.Param("id"))
		if !ok || (ci.Status == CartOpen && !n.now().Before(ci.Expires)) {
			return n.renderCart(c, http.StatusNotFound, cartPage{Message: "Carrello sconosciuto o scaduto."})
		}
		return n.renderCart(c, http.StatusOK, pageOfCart(ci))
	})
	e.POST(CheckoutPagePath+"/:id", func(c echo.Context) error {
		ci, err := n.CompleteCart(c.Request().Context(), c.Param("id"), c.FormValue("azione"))
		var br badRequest
		switch {
		case errors.Is(err, ErrUnknownCart):
			return n.renderCart(c, http.StatusNotFound, cartPage{Message: "Carrello sconosciuto o scaduto."})
		case errors.As(err, &br):
			return n.renderCart(c, http.StatusBadRequest, cartPage{Message: string(br)})
		case errors.Is(err, ErrCartClosed) && ci.Status == CartOpen:
			return n.renderCart(c, http.StatusConflict, cartPage{Message: "Pagamento in corso: attendere."})
		}
		// A second submit goes where the first went.
		return c.Redirect(http.StatusSeeOther, ci.ReturnURL)
	})
}

func (n *Node) cartRefused(c echo.Context, err error) error {
	n.mu.Lock()
	n.stats.PaForNode.CartsRefused++
	n.mu.Unlock()
	var pe *problemError
	if errors.As(err, &pe) {
		return writeProblem(c, pe.Problem)
	}
	return writeProblem(c, Problem{Title: "Internal server error", Status: http.StatusInternalServerError, Detail: err.Error()})
}
