package sim

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/soap"
)

// The WISP defaults an ente uses when it does not choose the PSP.
const (
	WISPPSP              = "AGID_01"
	WISPIntermediarioPSP = "97735020584"
	WISPCanale           = "97735020584_02"
)

// NodoID is faultBean.id for every error the node detects itself.
const NodoID = "NodoDeiPagamentiSPC"

// Config is what the node knows: its registry and its limits.
type Config struct {
	// BaseURL is the public root of the simulator (scheme://host[:port]);
	// redirect URLs are BaseURL + WISPPath + "?idSession=…".
	BaseURL string

	Intermediari []IntermediarioPA
	Stazioni     []Stazione
	Domini       []Dominio
	PSPs         []PSP // empty: the WISP PSP alone

	// WISPChannel is the only channel that may carry a multi-beneficiary
	// cart (default WISPCanale).
	WISPChannel string

	// MaxRPTs bounds the RPTs kept in memory (default 200 000); past it the
	// oldest sessions are forgotten, duplicates of them included.
	MaxRPTs int

	// Timeouts of the node's paForNode calls to stations (pagopa-node.md
	// §5.5): 7 s for paVerifyPaymentNotice and paGetPaymentV2, 15 s for
	// paSendRTV2 by default.
	VerifyTimeout     time.Duration
	GetPaymentTimeout time.Duration
	SendRTTimeout     time.Duration
	// ReceiptRetry is how paSendRTV2 is retried (default LegacyRetry).
	ReceiptRetry RetryPolicy
	// StationClient sends the paForNode requests; default a keep-alive
	// client of the node's own.
	StationClient *http.Client
	// CartTTL is how long a Checkout cart stays payable (default 10 min);
	// MaxCarts bounds the carts kept (default 10 000) and MaxReceipts the
	// paSendRTV2 receipts kept for the control API (default 10 000).
	CartTTL     time.Duration
	MaxCarts    int
	MaxReceipts int
	// ReceiptPSP is the PSP (of PSPs) named in modello unico receipts, with
	// its first channel; default the first PSP.
	ReceiptPSP string

	Clock    gateway.Clock     // default gateway.SystemClock
	Server   soap.ServerConfig // limits of the SOAP endpoint Mount builds
	Recorder soap.Recorder     // journal of the SOAP exchanges; may be nil
	Log      *slog.Logger      // default: discard
}

// IntermediarioPA is a registered PA intermediary.
type IntermediarioPA struct {
	ID       string
	Disabled bool
}

// Stazione is a station of an intermediary.
type Stazione struct {
	ID            string
	Intermediario string
	Password      string
	Disabled      bool
	// PaPerNodoURL receives paaInviaRT for this station's RTs.
	PaPerNodoURL string
	// PaForNodeURL puts the station on the modello unico: the node calls
	// it with the paForNode operations (paVerifyPaymentNotice,
	// paGetPaymentV2, paSendRTV2).
	PaForNodeURL string
	// RedirectURL is where the browser goes back after the payment, with
	// [idDominio], idSession and esito.
	RedirectURL string
	// PrimitiveVersion is 1 (RPT/RT) or 2 (new model); multi-beneficiary
	// notices must belong to a version-2 station.
	PrimitiveVersion int
	// SegregationCode (aux digit 3) or ApplicationCode (aux digit 0) tie
	// notice numbers to the station.
	SegregationCode string
	ApplicationCode string
}

// Dominio is an ente creditore, by codice fiscale.
type Dominio struct {
	ID       string
	Name     string
	Stazioni []string // stations that may send its RPTs
	// IBANs registered with pagoPA; empty disables the IBAN checks.
	IBANs    []string
	Disabled bool
}

// PSP is a payment service provider with its channels.
type PSP struct {
	ID            string
	Name          string
	Intermediario string
	Canali        []string
	Disabled      bool
}

func (c Config) withDefaults() Config {
	if len(c.PSPs) == 0 {
		c.PSPs = []PSP{{ID: WISPPSP, Name: "pagoPA WISP", Intermediario: WISPIntermediarioPSP, Canali: []string{WISPCanale}}}
	}
	if c.WISPChannel == "" {
		c.WISPChannel = WISPCanale
	}
	if c.MaxRPTs <= 0 {
		c.MaxRPTs = 200_000
	}
	if c.VerifyTimeout <= 0 {
		c.VerifyTimeout = 7 * time.Second
	}
	if c.GetPaymentTimeout <= 0 {
		c.GetPaymentTimeout = 7 * time.Second
	}
	if c.SendRTTimeout <= 0 {
		c.SendRTTimeout = 15 * time.Second
	}
	c.ReceiptRetry = c.ReceiptRetry.withDefaults()
	if c.StationClient == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 16
		c.StationClient = &http.Client{Transport: t}
	}
	if c.CartTTL <= 0 {
		c.CartTTL = 10 * time.Minute
	}
	if c.MaxCarts <= 0 {
		c.MaxCarts = 10_000
	}
	if c.MaxReceipts <= 0 {
		c.MaxReceipts = 10_000
	}
	if c.ReceiptPSP == "" {
		c.ReceiptPSP = c.PSPs[0].ID
	}
	if c.Clock == nil {
		c.Clock = gateway.SystemClock{}
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

// registry indexes the configuration.
type registry struct {
	intermediari map[string]IntermediarioPA
	stazioni     map[string]Stazione
	domini       map[string]Dominio
	psps         map[string]PSP
	intPSP       map[string]bool
	canali       map[string]bool
	ibanOwner    map[string]string // IBAN → dominio
}

func newRegistry(c Config) (*registry, error) {
	r := &registry{
		intermediari: map[string]IntermediarioPA{},
		stazioni:     map[string]Stazione{},
		domini:       map[string]Dominio{},
		psps:         map[string]PSP{},
		intPSP:       map[string]bool{},
		canali:       map[string]bool{},
		ibanOwner:    map[string]string{},
	}
	for _, i := range c.Intermediari {
		r.intermediari[i.ID] = i
	}
	for _, s := range c.Stazioni {
		if _, ok := r.intermediari[s.Intermediario]; !ok {
			return nil, fmt.Errorf("sim: stazione %s: intermediario %q not configured", s.ID, s.Intermediario)
		}
		r.stazioni[s.ID] = s
	}
	for _, d := range c.Domini {
		for _, s := range d.Stazioni {
			if _, ok := r.stazioni[s]; !ok {
				return nil, fmt.Errorf("sim: dominio %s: stazione %q not configured", d.ID, s)
			}
		}
		for _, iban := range d.IBANs {
			if _, ok := r.ibanOwner[iban]; !ok { // shared IBAN: the first dominio owns it
				r.ibanOwner[iban] = d.ID
			}
		}
		r.domini[d.ID] = d
	}
	for _, p := range c.PSPs {
		r.psps[p.ID] = p
		r.intPSP[p.Intermediario] = true
		for _, ch := range p.Canali {
			r.canali[ch] = true
		}
	}
	return r, nil
}

// servedBy reports whether station st may send RPTs of dominio d.
func (d Dominio) servedBy(st string) bool {
	for _, s := range d.Stazioni {
		if s == st {
			return true
		}
	}
	return false
}

// underIntermediario reports whether one of d's stations belongs to in.
func (r *registry) underIntermediario(d Dominio, in string) bool {
	for _, s := range d.Stazioni {
		if r.stazioni[s].Intermediario == in {
			return true
		}
	}
	return false
}

func (d Dominio) hasIBAN(iban string) bool {
	for _, x := range d.IBANs {
		if x == iban {
			return true
		}
	}
	return false
}
