package gateway

import (
	"context"
	"time"
)

// DovutoState follows MyPay's mygov_dovuto / mygov_dovuto_elaborato states.
type DovutoState string

const (
	DovutoDaPagare    DovutoState = "INSERIMENTO_DOVUTO" // payable
	DovutoPredisposto DovutoState = "PREDISPOSTO"        // in a cart not yet sent
	DovutoIniziato    DovutoState = "PAGAMENTO_INIZIATO" // in a cart sent to pagoPA
	DovutoScaduto     DovutoState = "SCADUTO"
	DovutoAnnullato   DovutoState = "ANNULLATO" // azione A
	DovutoCompletato  DovutoState = "COMPLETATO"
)

// Payer is the soggettoPagatore (or versante) of a dovuto.
type Payer struct {
	Type     string // F (natural person) or G (legal person)
	ID       string // codice fiscale, partita IVA or ANONIMO; upper-case
	Name     string // anagrafica
	Address  string
	Civic    string
	CAP      string
	Locality string
	Province string
	Nation   string
	Email    string
}

// Bilancio splits an amount over chapters and assessments.
type Bilancio struct {
	Capitoli []Capitolo
}

// Capitolo is one bilancio chapter.
type Capitolo struct {
	Code         string
	Office       string
	Accertamenti []Accertamento
}

// Accertamento is one assessment line of a chapter.
type Accertamento struct {
	Code   string
	Amount Cents
}

// Total is the sum of every accertamento.
func (b *Bilancio) Total() Cents {
	var t Cents
	for _, c := range b.Capitoli {
		for _, a := range c.Accertamenti {
			t += a.Amount
		}
	}
	return t
}

// SecondaryBeneficiary is the second ente of a multi-beneficiary payment.
type SecondaryBeneficiary struct {
	CodiceFiscale            string
	Denominazione            string
	IBAN                     string
	Address, Civic, CAP      string
	Locality, Province       string
	Nation                   string
	Causale                  string
	DatiSpecificiRiscossione string
	Amount                   Cents
}

// Dovuto is a debt position of an ente.
type Dovuto struct {
	ID             int64
	EnteID         int64
	IUD            string // the ente's id, unique per ente
	IUV            string // pagoPA id; empty until one is assigned
	State          DovutoState
	TipoDovuto     string // identificativoTipoDovuto
	TipoVersamento string
	Amount         Cents
	Commission     Cents // commissioneCaricoPA
	// DueDate is dataEsecuzionePagamento as a civil date (DateLayout), or "".
	DueDate                  string
	Causale                  string
	DatiSpecificiRiscossione string
	Bilancio                 *Bilancio
	Payer                    *Payer
	Secondary                *SecondaryBeneficiary
	// Flusso names the batch the dovuto came in with, like MyPay's IUF
	// (`_<codIpa>_IMPORT-DOVUTO` for paaSILImportaDovuto).
	Flusso    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// NumeroAvviso is the 18-digit notice number of an IUV17 (aux digit 3);
// "" for other IUVs.
func (d *Dovuto) NumeroAvviso() string {
	if len(d.IUV) == 17 {
		return "3" + d.IUV
	}
	return ""
}

// DovutoStore keeps open debt positions. Writes return *Error with the
// PAA_IMPORT_* codes MyPay's database functions produce.
type DovutoStore interface {
	// InsertDovuto stores d (sets ID and times). Duplicate IUD for the ente:
	// CodeImportIUDDuplicato; duplicate IUV: CodeImportIUVDuplicato.
	InsertDovuto(ctx context.Context, d *Dovuto) error
	// ModifyDovuto replaces the dovuto with d.IUD; it must exist
	// (ErrNotFound) and be DovutoDaPagare (ErrConflict).
	ModifyDovuto(ctx context.Context, d *Dovuto) error
	// AnnulDovuto moves the dovuto with iud to DovutoAnnullato, with the
	// same preconditions as ModifyDovuto.
	AnnulDovuto(ctx context.Context, enteID int64, iud string) error
	FindDovutoByIUD(ctx context.Context, enteID int64, iud string) (*Dovuto, error)
	FindDovutoByIUV(ctx context.Context, enteID int64, iuv string) (*Dovuto, error)
	// IUDUsed reports whether iud was ever used by the ente: by a dovuto
	// in any state, or by an item of a prepared cart (PAA_IUD_DUPLICATO of
	// paaSILInviaDovuti).
	IUDUsed(ctx context.Context, enteID int64, iud string) (bool, error)
}

// IUVSequence hands out IUV progressivi, unique per ente across processes.
type IUVSequence interface {
	// ReserveIUV reserves n consecutive progressivi for the ente and
	// returns the first one. Numbers are never handed out twice, even
	// after a crash; gaps are allowed.
	ReserveIUV(ctx context.Context, enteID int64, n int64) (first int64, err error)
}
