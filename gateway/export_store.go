package gateway

import (
	"context"
	"time"
)

// ExportEnteSecondario is the pseudo tipo dovuto of the rows where the
// ente is the secondary beneficiary of a multi-beneficiary payment: a
// filter value of the exports, and the tipoDovuto those rows carry in a
// 1.3 export.
const ExportEnteSecondario = "EXPORT_ENTE_SECONDARIO"

// PagatoRow is one paid datiSingoloPagamento as an export writes it. The
// store keeps most of it already in CSV form; byte slices are valid only
// during the callback that receives the row.
type PagatoRow struct {
	IUF     []byte // the flusso the dovuto came from; empty when none
	NumRiga int64  // its line in that flusso; 0 when unknown
	IUD     []byte
	// Fields is the CSV text, quoted and ';'-separated, of the columns
	// codIuv … datiSpecificiRiscossione (4th to 63rd).
	Fields     []byte
	TipoDovuto []byte
	Secondary  bool // the ente is the secondary beneficiary
	// TipoFirma, RT and Ricevuta are set for exports with ricevuta only:
	// Ricevuta is the CSV text of indiceDatiSingoloPagamento …
	// blbRtDatiPagDatiSingPagAllegatoRicevutaTest.
	TipoFirma []byte
	RT        []byte
	Ricevuta  []byte
	// Bilancio is the dovuto's bilancio; nil when none.
	Bilancio *Bilancio
	// PA1 is the CSV text of cod_fiscale_pa1;de_nome_pa1;
	// cod_tassonomico_dovuto_pa1 of a secondary row; empty otherwise.
	PA1 []byte
}

// ExportStore keeps export flussi and selects their rows. Several
// processes may share one store: work is handed out with leases.
type ExportStore interface {
	// CreateExport records a booked export (State ExportLoaded); a
	// request token already used gives ErrConflict.
	CreateExport(ctx context.Context, f *ExportFlusso) error
	// FindExportByToken returns the export of a request token, any ente;
	// ErrNotFound when there is none.
	FindExportByToken(ctx context.Context, token string) (*ExportFlusso, error)
	// ClaimExport hands the oldest export waiting, or running with an
	// expired lease, to owner for lease and sets it EXPORT_IN_ELAB; nil,
	// nil when there is none.
	ClaimExport(ctx context.Context, owner string, lease time.Duration) (*ExportFlusso, error)
	// RenewExport extends owner's lease; ErrConflict when owner lost it.
	RenewExport(ctx context.Context, id int64, owner string, lease time.Duration) error
	// FinishExport stores f's outcome (State, Path, Rows) if owner still
	// holds it (ErrConflict otherwise).
	FinishExport(ctx context.Context, f *ExportFlusso, owner string) error
	ExportSource
}

// ExportSource streams the rows of an export, never holding them all.
type ExportSource interface {
	// ExportRows calls fn for every paid row f selects (PAGATI), in
	// payment day (or receipt time, incremental) order; row is reused.
	ExportRows(ctx context.Context, f *ExportFlusso, fn func(row *PagatoRow) error) error
	// ScadutiRows calls fn for every open dovuto of f's ente whose tipo
	// is in f.TipoDovuto (';'-separated) and whose due date is before
	// f.To's day (SCADUTI), in due date order.
	ScadutiRows(ctx context.Context, f *ExportFlusso, fn func(d *Dovuto) error) error
}
