package node

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// CartsPath is the Checkout carts operation under the base URL
// (PONTE_CHECKOUT_URL, e.g. https://api.platform.pagopa.it/checkout/ec/v1).
const CartsPath = "/carts"

// CartNotice is one paymentNotices entry of a Checkout cart.
type CartNotice struct {
	NoticeNumber string `json:"noticeNumber"`
	FiscalCode   string `json:"fiscalCode"`
	Amount       int64  `json:"amount"` // euro cents
	CompanyName  string `json:"companyName"`
	Description  string `json:"description"`
}

// CartReturnURLs are where Checkout sends the browser, verbatim.
type CartReturnURLs struct {
	OK      string `json:"returnOkUrl"`
	Cancel  string `json:"returnCancelUrl"`
	Error   string `json:"returnErrorUrl"`
	Waiting string `json:"returnWaitingUrl,omitempty"`
}

// CartRequest is the body of POST /carts (avviso-checkout-fdr.md §2.2).
type CartRequest struct {
	PaymentNotices []CartNotice   `json:"paymentNotices"`
	ReturnURLs     CartReturnURLs `json:"returnUrls"`
	IDCart         string         `json:"idCart,omitempty"`
	EmailNotice    string         `json:"emailNotice,omitempty"`
	AllCCP         *bool          `json:"allCCP,omitempty"`
}

// CartsError is a refusal by Checkout: its status and Problem JSON.
type CartsError struct {
	StatusCode int
	Title      string
	Detail     string
}

func (e *CartsError) Error() string {
	s := fmt.Sprintf("checkout: carts answered %d", e.StatusCode)
	if e.Title != "" {
		s += " " + e.Title
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Refused reports a cart Checkout will never take as it is (400, 422):
// trying again is pointless. Other statuses (429, 5xx) may pass later.
func (e *CartsError) Refused() bool {
	return e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusUnprocessableEntity
}

// CartsClient opens Checkout carts. Build it with NewCartsClient.
type CartsClient struct {
	base    string
	http    *http.Client
	timeout time.Duration
}

// NewCartsClient builds a client for the Checkout base URL. Checkout
// answers a new cart with a redirect that the client must hand to the
// browser, never follow itself.
func NewCartsClient(baseURL string, timeout time.Duration, transport http.RoundTripper) *CartsClient {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	return &CartsClient{
		base:    strings.TrimSuffix(baseURL, "/"),
		timeout: timeout,
		http: &http.Client{
			Transport:     transport,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// CreateCart posts the cart and returns the Location to send the
// browser to. A refusal is *CartsError; a failure to get any answer is
// *TransportError (Op "carts"): Checkout keeps nothing of a cart until it
// answers, so either way no payment started.
func (c *CartsClient) CreateCart(ctx context.Context, r CartRequest) (string, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+CartsPath, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return "", &TransportError{Op: "carts", URL: c.base + CartsPath, Err: err}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		loc := resp.Header.Get("Location")
		if loc == "" {
			return "", &CartsError{StatusCode: resp.StatusCode, Title: "redirect without Location"}
		}
		return loc, nil
	}
	ce := &CartsError{StatusCode: resp.StatusCode}
	var p struct {
		Title  string `json:"title"`
		Detail string `json:"detail"`
	}
	if json.Unmarshal(b, &p) == nil {
		ce.Title, ce.Detail = p.Title, p.Detail
	} else if len(b) > 0 {
		ce.Detail = string(b[:min(len(b), 200)])
	}
	return "", ce
}

// IsCartsRefusal reports whether err is Checkout refusing the cart.
func IsCartsRefusal(err error) bool {
	var ce *CartsError
	return errors.As(err, &ce) && ce.Refused()
}
