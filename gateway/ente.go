package gateway

import (
	"context"
	"time"
)

// EnteState is the life-cycle state of an ente, as MyPay names it.
type EnteState string

const (
	EnteInserito     EnteState = "INSERITO" // registered, not in service: refused by most operations
	EntePreEsercizio EnteState = "PRE-ESERCIZIO"
	EnteEsercizio    EnteState = "ESERCIZIO"
)

// Valid reports whether s is a known state.
func (s EnteState) Valid() bool {
	return s == EnteInserito || s == EntePreEsercizio || s == EnteEsercizio
}

// Ente is a public body taking payments through Ponte.
type Ente struct {
	ID            int64
	CodIpa        string // codIpaEnte, the key SIL callers use
	CodiceFiscale string // identificativoDominio towards pagoPA
	Denominazione string
	State         EnteState
	// PasswordHash is the SIL password, hashed (see gateway/auth). Empty
	// means no password is set, which MyPay accepts only for an absent one.
	PasswordHash string

	IBAN         string // accredito IBAN
	IBANPostale  string // IBAN of a postal current account, if any
	ContoPostale string // postal account number (for the Poste avviso section)

	AuxDigit        int    // 3 for IUV17 (the only one Ponte generates)
	ApplicationCode string // 2 digits, used with aux digit 0
	SegregationCode string // 2 digits, first two of every IUV17

	IntermediaryID string // identificativoIntermediarioPA
	StationID      string // identificativoStazioneIntermediarioPA
	// StationPassword authenticates Ponte to the node for this ente's
	// station; it is a secret and never journaled.
	StationPassword string
	// StationVersion is the station's model towards pagoPA: 1 the legacy
	// RPT/RT primitives, 2 the modello unico (Checkout carts, paForNode).
	// The SIL contract is the same on both.
	StationVersion int

	// RedirectURL is the default enteSILInviaRispostaPagamentoUrl.
	RedirectURL string
	// PushURL receives MyPay's push of each paid dovuto's outcome (empty:
	// no push).
	PushURL string
	// PushJWT, when its Secret is set, signs each push with a bearer JWT
	// as MyPay does (HS512).
	PushJWT PushJWT

	CreatedAt time.Time
	UpdatedAt time.Time
}

// PushJWT is MyPay's optional authentication of the outcome push: an
// HS512 JWT with header kid and claims iss and sub, keyed by the
// base64-decoded Secret (a secret: never journaled).
type PushJWT struct {
	KeyID, Issuer, Subject, Secret string
}

// Station versions (Ente.StationVersion).
const (
	StationLegacy = 1 // RPT/RT: nodoInviaCarrelloRPT, paaInviaRT, paaVerificaRPT/paaAttivaRPT
	StationUnico  = 2 // modello unico: Checkout carts, paVerifyPaymentNotice, paGetPaymentV2, paSendRTV2
)

// ModelloUnico reports whether the ente's station is on the modello unico.
func (e *Ente) ModelloUnico() bool { return e.StationVersion == StationUnico }

// TipoDovuto is a kind of debt an ente collects (TARI, MENSA…).
type TipoDovuto struct {
	ID               int64
	EnteID           int64
	Code             string // identificativoTipoDovuto
	Description      string
	Enabled          bool
	AllowAnonymousCF bool  // codice fiscale "ANONIMO" accepted
	DueDateMandatory bool  // dataEsecuzionePagamento required and not in the past
	FixedAmount      Cents // 0: any amount
	TaxonomyCode     string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// MarcaBolloDigitale is the reserved tipo code of the digital revenue stamp.
const MarcaBolloDigitale = "MARCA_BOLLO_DIGITALE"

// EnteStore keeps the ente registry. Lookups return ErrNotFound when absent.
type EnteStore interface {
	CreateEnte(ctx context.Context, e *Ente) error // sets ID, CreatedAt, UpdatedAt
	UpdateEnte(ctx context.Context, e *Ente) error // by ID
	FindEnte(ctx context.Context, codIpa string) (*Ente, error)
	FindEnteByCF(ctx context.Context, codiceFiscale string) (*Ente, error)
	ListEnti(ctx context.Context) ([]*Ente, error)

	// UpsertTipoDovuto inserts or updates by (EnteID, Code).
	UpsertTipoDovuto(ctx context.Context, t *TipoDovuto) error
	FindTipoDovuto(ctx context.Context, enteID int64, code string) (*TipoDovuto, error)
	ListTipiDovuto(ctx context.Context, enteID int64) ([]*TipoDovuto, error)
}
