package gateway

import (
	"context"
	"time"
)

// A Cart is what one SIL request — paaSILInviaDovuti, paaSILInviaCarrelloDovuti
// or paaSILVerificaAvviso — asks a citizen to pay: one to five Payments,
// each one RPT for one ente and IUV, sent to the node together. The ente
// knows it by IDSession and asks its outcome with paaSILChiediPagati; only
// the RTs decide that outcome, never the browser.
type Cart struct {
	ID        int64
	IDSession string // idSession / idSessionCarrello returned to the ente
	// Token names the cart in the citizen's landing URL: random and
	// distinct from IDSession, which the ente keeps for its queries.
	Token  string
	Kind   CartKind
	State  CartState
	EnteID int64  // the ente that called the SIL
	CodIpa string // its codIpaEnte
	// ShowMyPay is SHORT (the citizen confirms on Ponte's page) or NONE
	// (straight on to pagoPA).
	ShowMyPay string
	// ReturnURL is where the browser goes back to: the request's
	// enteSILInviaRispostaPagamentoUrl or the ente's default.
	ReturnURL string
	Payer     *Payer // soggettoPagatore of the first Dovuti document
	Email     string // the payer's e-mail, confirmed or edited on Ponte's page
	// MultiBeneficiary marks a paaSILInviaCarrelloDovuti with
	// listaDovutiEntiSecondari: one dovuto split between two enti, sent as
	// a multi-beneficiary cart of two RPTs.
	MultiBeneficiary bool
	// IDCarrello is the identificativoCarrello sent with
	// nodoInviaCarrelloRPT ("" for a single nodoInviaRPT).
	IDCarrello string
	// NodeURL is the payment page the node returned; NodeSession its idSession.
	NodeURL     string
	NodeSession string
	// Error says why a cart ended ABORT or IMPOSSIBILE_INVIARE_RP (the
	// node's fault code and text, or the transport failure).
	Error     string
	Payments  []*Payment
	CreatedAt time.Time
	UpdatedAt time.Time
	// ExpiresAt is when a cart not yet sent to the node expires (MyPay's
	// basket time to live, one hour).
	ExpiresAt time.Time
}

// CartKind is MyPay's tipo carrello.
type CartKind string

const (
	CartEsterno          CartKind = "ESTERNO_ANONIMO"           // paaSILInviaDovuti
	CartEsternoMultiente CartKind = "ESTERNO_ANONIMO_MULTIENTE" // paaSILInviaCarrelloDovuti
	CartAvviso           CartKind = "AVVISO_ANONIMO_ENTE"       // paaSILVerificaAvviso
	// CartAttivatoPSP holds a payment started at a PSP from an avviso
	// (modello 3): made by paaAttivaRPT, or by the receipt (paSendRTV2).
	CartAttivatoPSP CartKind = "ATTIVATO_PRESSO_PSP"
)

// CartState follows MyPay's carrello states (mypay-sil §9), which the SIL
// answers map one to one.
type CartState string

const (
	CartPredisposto    CartState = "PREDISPOSTO"            // created, not yet sent to the node
	CartInCorso        CartState = "PAGAM_IN_CORSO"         // RPTs accepted by the node, RTs awaited
	CartPagato         CartState = "PAGATO"                 // every RT positive
	CartNonPagato      CartState = "NON_PAGATO"             // every RT negative
	CartParzPagato     CartState = "PARZ_PAGATO"            // some RTs positive, some not
	CartDecorrTerm     CartState = "DECORR_TERM"            // decorrenza termini
	CartDecorrTermParz CartState = "DECORR_TERM_PARZ"       // partial decorrenza termini
	CartAbort          CartState = "ABORT"                  // cancelled before reaching the node
	CartScaduto        CartState = "SCADUTO"                // never sent, expired
	CartNonInviabile   CartState = "IMPOSSIBILE_INVIARE_RP" // the node refused the RPTs or could not be reached
)

// Final reports whether the cart can change no more.
func (s CartState) Final() bool {
	switch s {
	case CartPredisposto, CartInCorso:
		return false
	}
	return true
}

// Payment is one RPT of a cart: one ente (the dominio), one IUV, one CCP,
// one to five items; its RT, once received, decides its outcome.
type Payment struct {
	ID       int64
	CartID   int64
	Position int // 1-based place in the cart (the serial of cart faults)
	EnteID   int64
	CodIpa   string
	Dominio  string // codice fiscale of the ente: identificativoDominio
	// IUV is assigned when the cart is sent (IUV17 from the ente's
	// sequence) unless the items are an existing avviso's.
	IUV   string
	CCP   string
	State PaymentState
	// MessageID is the RPT's identificativoMessaggioRichiesta.
	MessageID   string
	RequestedAt time.Time // dataOraMessaggioRichiesta
	Amount      Cents     // importoTotaleDaVersare
	// Items are the datiSingoloVersamento, in order, all with the
	// payment's IUV. An item with ID != 0 is an existing dovuto (an avviso
	// paid through paaSILVerificaAvviso); the others exist only as items
	// of this payment. Either way their IUDs are registered for the ente
	// when the cart is prepared, and stay so.
	Items []*Dovuto
	RPT   []byte
	// Receipt holds the RT that decided the payment: the last positive
	// one, or the last one if none is positive.
	Receipt *Receipt
	// Recovery is what receipt recovery did about a missing RT.
	Recovery  Recovery
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Recovery is the record of receipt recovery on one payment.
type Recovery struct {
	Attempts int
	Last     string    // what the last attempt found
	Next     time.Time // when the next is due; zero if none was planned
}

// PaymentState is where one RPT stands.
type PaymentState string

const (
	PaymentNew      PaymentState = "RPT_DA_INVIARE" // built, not yet accepted by the node
	PaymentSent     PaymentState = "RPT_INVIATA"    // accepted by the node, RT awaited
	PaymentRefused  PaymentState = "RPT_RIFIUTATA"  // refused by the node, or never sent
	PaymentReceived PaymentState = "RT_RICEVUTA"    // an RT is stored
)

// Esito codes of an RT (codiceEsitoPagamento).
const (
	EsitoEseguito           = "0"
	EsitoNonEseguito        = "1"
	EsitoParzialmente       = "2"
	EsitoDecorrenzaTermini  = "3"
	EsitoDecorrenzaParziale = "4"
)

// Receipt is an RT as Ponte keeps it: the document exactly as received,
// and the fields the SIL answers need without parsing it again.
type Receipt struct {
	ID         int64
	PaymentID  int64
	Esito      string // codiceEsitoPagamento, EsitoEseguito…
	Amount     Cents  // importoTotalePagato
	MessageID  string // identificativoMessaggioRicevuta
	IssuedAt   time.Time
	TipoFirma  string
	RT         []byte
	ReceivedAt time.Time
}

// RTOutcome is what storing an RT did.
type RTOutcome int

const (
	RTStored     RTOutcome = iota // a new RT, now deciding the payment
	RTDuplicate                   // the same RT again: nothing stored
	RTSuperseded                  // stored, but an earlier positive RT still decides
)

// CartStore keeps carts, their payments and receipts. Every method that
// changes more than one row does so in one transaction.
type CartStore interface {
	// CreateCart stores c with its payments (state PaymentNew, or
	// PaymentSent when c is created CartInCorso: a payment made at a PSP)
	// and items; it sets the IDs. Items are not dovuti yet: see SendCart.
	CreateCart(ctx context.Context, c *Cart) error
	// FindCart returns the cart with that idSession, payments, items and
	// receipts included; ErrNotFound when there is none.
	FindCart(ctx context.Context, idSession string) (*Cart, error)
	// FindPayment returns the payment (with its cart ID, items and
	// receipt) of (dominio, IUV, CCP); ErrNotFound when there is none.
	FindPayment(ctx context.Context, dominio, iuv, ccp string) (*Payment, error)
	// FindCartByID is FindCart by the cart's ID (a payment's CartID).
	FindCartByID(ctx context.Context, id int64) (*Cart, error)
	// FindCartByToken is FindCart by the landing token.
	FindCartByToken(ctx context.Context, token string) (*Cart, error)
	// FindCartByNodeSession is FindCart by the idSession the node gave
	// (the browser comes back from the node with it).
	FindCartByNodeSession(ctx context.Context, nodeSession string) (*Cart, error)
	// PrepareCart records, while the cart is still PREDISPOSTO, what was
	// decided just before sending it: each payment's IUV, CCP, message ID,
	// time and RPT, and the cart's e-mail and IDCarrello. It registers the
	// items' IUDs for their ente (a duplicate gives *Error
	// CodeIUDDuplicato, nothing written) and moves existing dovuti to
	// DovutoIniziato (ErrConflict if one is no longer payable, or if the
	// cart left PREDISPOSTO meanwhile).
	PrepareCart(ctx context.Context, c *Cart) error
	// MarkCartSent moves a prepared cart to PAGAM_IN_CORSO and its payments
	// to PaymentSent, recording the node's URL and session.
	MarkCartSent(ctx context.Context, cartID int64, nodeURL, nodeSession string) error
	// MarkCartFailed ends a cart that could not start: state (ABORT,
	// SCADUTO or IMPOSSIBILE_INVIARE_RP), the reason, its payments
	// PaymentRefused; existing dovuti it had started become payable again
	// (DovutoDaPagare); registered IUDs stay used.
	MarkCartFailed(ctx context.Context, cartID int64, state CartState, reason string) error
	// OpenCartWithReceipt is CreateCart of c, which has one payment, and
	// RecordRT of rt on it, in one transaction: a payment made at a PSP,
	// known to Ponte by its receipt. A payment with the same dominio, IUV
	// and CCP is ErrConflict, nothing written.
	OpenCartWithReceipt(ctx context.Context, c *Cart, rt *Receipt) (RTOutcome, error)
	// AbandonCart ends a cart in progress that the citizen cancelled on
	// pagoPA Checkout before paying: ABORT with the reason, payments
	// waiting for a receipt RPT_RIFIUTATA, existing dovuti payable again.
	// ErrConflict when the cart is not in progress or a receipt came
	// already. A receipt arriving later still decides the payment.
	AbandonCart(ctx context.Context, cartID int64, reason string) error
	// FindPayments returns every payment of the dominio with that IUV,
	// oldest first (a debt may be attempted several times, with new CCPs).
	FindPayments(ctx context.Context, dominio, iuv string) ([]*Payment, error)
	// FindPaymentsByIUD returns every payment whose items include the
	// ente's dovuto with that IUD, oldest first.
	FindPaymentsByIUD(ctx context.Context, enteID int64, iud string) ([]*Payment, error)
	// RecordRT stores rt for the payment in one transaction with every
	// state it moves: the payment, its existing dovuti (COMPLETATO when
	// paid, payable again when not), and the cart once all its payments
	// have an RT (PAGATO, NON_PAGATO, PARZ_PAGATO, DECORR_TERM…). The same RT again is RTDuplicate (nothing
	// written); a positive RT after a negative one supersedes it; any RT
	// after a positive one is stored but RTSuperseded.
	RecordRT(ctx context.Context, paymentID int64, rt *Receipt) (RTOutcome, error)
}
