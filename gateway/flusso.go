package gateway

import (
	"context"
	"time"
)

// ImportState is the state of an import flusso (MyPay's mygov_import_dovuti).
type ImportState string

const (
	ImportLoaded  ImportState = "LOAD_IMPORT"     // uploaded, waiting for a worker
	ImportRunning ImportState = "IMPORT_IN_ELAB"  // a worker holds its lease
	ImportDone    ImportState = "IMPORT_ESEGUITO" // rows processed; some may be rejected
	ImportAborted ImportState = "IMPORT_ABORTITO" // flow-level error: nothing imported
)

// Flow-level error codes of an import: they replace the state in
// paaSILChiediStatoImportFlusso (mypay-sil §4.6).
const (
	CodeImportNomeFileErr        = "PAA_IMPORT_NOME_FILE_ERR"
	CodeImportNoCSV              = "PAA_IMPORT_NO_CSV"
	CodeImportNoMatchMD5         = "PAA_IMPORT_NO_MATCH_MD5"
	CodeImportFlussoDuplicato    = "PAA_IMPORT_FLUSSO_DUPLICATO"
	CodeImportFlussoCaricamento  = "PAA_IMPORT_FLUSSO_IN_CARICAMENTO"
	CodeImportErroreGenerico     = "PAA_IMPORT_FLUSSO_ERRORE_GENERICO"
	CodeImportError              = "PAA_IMPORT_ERROR"
	CodeRequestTokenNonValido    = "PAA_REQUEST_TOKEN_NON_VALIDO"
	CodeDateFromNonValido        = "PAA_DATE_FROM_NON_VALIDO"
	CodeDateToNonValido          = "PAA_DATE_TO_NON_VALIDO"
	CodeIntervalloDateNonValido  = "PAA_INTERVALLO_DATE_NON_VALIDO"
	CodeVersioneTracciato        = "PAA_VERSIONE_TRACCIATO_NON_VALIDA"
	CodeTipoDovutoNonInserito    = "PAA_IDENTIFICATIVO_TIPO_DOVUTO_NON_INSERITO"
	CodePasswordMypivotNonValida = "CODE_PAA_PASSWORD_ALLINEAMENTO_MYPIVOT_NON_VALIDA"
)

// ImportFlusso is one uploaded zip of dovuti and the outcome of its
// processing.
type ImportFlusso struct {
	ID           int64
	EnteID       int64
	CodIpa       string
	RequestToken string // given by paaSILAutorizzaImportFlusso; unique
	FileName     string // the zip's name as uploaded: <codIPA>-<IUF>-<versione>.zip
	IUF          string // from the name, once it parsed; "" before
	Version      string // 1_0 … 1_4, once the name parsed
	State        ImportState
	// ErrorCode is the flow-level code that replaces State in the answer
	// of paaSILChiediStatoImportFlusso; "" when none.
	ErrorCode string
	// Path is the stored zip, relative to the data directory.
	Path string
	MD5  string // hex MD5 of the zip computed at upload
	Size int64
	// Rows counts the data lines read; Imported and Rejected split them.
	Rows, Imported, Rejected int64
	// ScartiPath and IUVPath are the result zips, relative to the data
	// directory; "" when there is none.
	ScartiPath, IUVPath string
	// Attempts counts the claims of the flusso: one that keeps killing
	// its worker is aborted instead of being handed out for ever.
	Attempts             int
	CreatedAt, UpdatedAt time.Time
	FinishedAt           time.Time // zero until IMPORT_ESEGUITO or IMPORT_ABORTITO
}

// ImportRow is one data line of an import CSV after parsing and the row
// checks.
type ImportRow struct {
	Line      int64  // 1-based line number in the CSV; the header is line 1
	Azione    string // I, M or A
	GeneraIUV bool   // flagGeneraIuv (1_3 and 1_4)
	// Dovuto holds the parsed values; the engine fills EnteID, State and
	// Flusso, and IUV when it generates one.
	Dovuto Dovuto
	Raw    string // the line as read, for the _SCARTI file
	// Codes and Descriptions are the row's errors, '|'-separated as MyPay
	// writes them in the cod_rifiuto and de_rifiuto columns; "" when the
	// row passed every check made before the store.
	Codes, Descriptions string
	// IUVLine is the row as written to the _IUV file (set by the engine
	// once the IUV is known).
	IUVLine string
}

// Reject adds an error to the row.
func (r *ImportRow) Reject(code, description string) {
	if r.Codes != "" {
		r.Codes += "|"
		r.Descriptions += "|"
	}
	r.Codes += code
	r.Descriptions += description
}

// Rejected reports whether the row has an error.
func (r *ImportRow) Rejected() bool { return r.Codes != "" }

// ImportTx is one flusso's rows being stored, in one transaction with the
// flusso's final state, so a crash leaves either nothing or everything.
// Rows either take the fast path (Direct, Insert, EndDirect) or are staged
// and then merged (Stage, Merge).
type ImportTx interface {
	// Stage adds a row (valid or already rejected) to the flusso.
	Stage(ctx context.Context, r *ImportRow) error
	// Merge runs the checks that need the database (IUD repeated in the
	// file, IUD or IUV already used, M/A on a missing or not payable
	// dovuto), applies the valid rows and returns the counts.
	Merge(ctx context.Context, h MergeHints) (imported, rejected int64, err error)
	// Direct starts the fast path for a flusso of new rows: Insert then
	// writes valid azione I rows straight into the dovuti, with no
	// staging and no merge. It is false when the store only stages
	// (SQLite) or the ente has IUDs taken by carts, which no key of the
	// dovuti guards.
	Direct(ctx context.Context) (bool, error)
	// Insert writes a row on the fast path; an IUD or IUV already stored
	// may be reported here (ErrConflict) or only by EndDirect.
	Insert(ctx context.Context, r *ImportRow) error
	// EndDirect ends the fast path. With keep the rows stay, unless a
	// stored IUD or IUV refused them (ok false); without keep they are
	// dropped. When ok is false the transaction is as before Direct and
	// the flusso is to be staged and merged instead.
	EndDirect(ctx context.Context, keep bool) (inserted int64, ok bool, err error)
	// Scarti calls fn for every rejected row in line order.
	Scarti(ctx context.Context, fn func(raw, codes, descriptions string) error) error
	// Imported calls fn for every applied row in line order.
	Imported(ctx context.Context, fn func(iuvLine string) error) error
	// Commit stores f (its final state, counts and result files) with the
	// rows; Rollback forgets everything. One of them must be called.
	Commit(ctx context.Context, f *ImportFlusso) error
	Rollback() error
}

// MergeHints tell the store which checks of Merge a flusso can need, so a
// million clean rows are not checked for what cannot be there.
type MergeHints struct {
	// MaybeRepeated: an IUD or IUV may occur twice in the file (the
	// engine saw the same hash twice).
	MaybeRepeated bool
	// Updates: the file has azione M or A rows.
	Updates bool
}

// ImportStore keeps import flussi. Several processes may share one store:
// work is handed out with leases.
type ImportStore interface {
	// CreateImport records an uploaded flusso (State ImportLoaded); a
	// request token already used gives ErrConflict.
	CreateImport(ctx context.Context, f *ImportFlusso) error
	// FindImportByToken returns the flusso of a request token, any ente.
	FindImportByToken(ctx context.Context, token string) (*ImportFlusso, error)
	// ClaimImport hands the oldest flusso waiting, or running with an
	// expired lease, to owner for lease and sets it IMPORT_IN_ELAB;
	// nil, nil when there is none.
	ClaimImport(ctx context.Context, owner string, lease time.Duration) (*ImportFlusso, error)
	// ClaimImportByID is ClaimImport of one flusso (the command line
	// imports its own file); ErrConflict when it is not claimable.
	ClaimImportByID(ctx context.Context, id int64, owner string, lease time.Duration) (*ImportFlusso, error)
	// RenewImport extends owner's lease; ErrConflict when owner lost it.
	RenewImport(ctx context.Context, id int64, owner string, lease time.Duration) error
	// AbortImport ends a flusso with a flow-level error code, if owner
	// still holds it (ErrConflict otherwise).
	AbortImport(ctx context.Context, id int64, owner, code string) error
	// IUFUse tells how the ente's other flussi use iuf: done is true when
	// one was imported (IMPORT_ESEGUITO), loadingSince is the creation of
	// the newest still loading or running (zero if none).
	IUFUse(ctx context.Context, enteID int64, iuf string, exceptID int64) (done bool, loadingSince time.Time, err error)
	// BeginImport opens the transaction that stores f's rows, if owner
	// still holds f (ErrConflict otherwise).
	BeginImport(ctx context.Context, f *ImportFlusso, owner string) (ImportTx, error)
}

// ExportState is the state of an export flusso (mygov_export_dovuti).
type ExportState string

const (
	ExportLoaded  ExportState = "LOAD_EXPORT"
	ExportRunning ExportState = "EXPORT_IN_ELAB"
	ExportDone    ExportState = "EXPORT_ESEGUITO"
	ExportError   ExportState = "ERROR_EXPORT"
	// ExportEmpty is the pseudo-state answered for an EXPORT_ESEGUITO
	// that found nothing, so has no file.
	ExportEmpty ExportState = "EXPORT_ESEGUITO_NESSUN_DOVUTO_TROVATO"
)

// ExportKind tells the two export families apart.
type ExportKind string

const (
	ExportPagati  ExportKind = "PAGATI"  // paaSILPrenotaExportFlusso(IncrementaleConRicevuta)
	ExportScaduti ExportKind = "SCADUTI" // paaSILPrenotaExportFlussoScaduti
)

// ExportFlusso is one booked export and its outcome.
type ExportFlusso struct {
	ID           int64
	Kind         ExportKind
	EnteID       int64
	CodIpa       string
	RequestToken string
	// From and To bound the selection. Non-incremental exports compare
	// payment days, both ends included (From and To are midnights in
	// Rome); incremental ones compare receipt times, [From, To).
	From, To    time.Time
	Incremental bool
	Ricevuta    bool   // add the receipt columns
	Mypivot     bool   // booked with passwordMypivot
	TipoDovuto  string // "" for all; ';'-separated list for SCADUTI
	Version     string // versioneTracciato: 1.0 … 1.3
	State       ExportState
	Path        string // the zip, relative to the data directory; "" when none
	Rows        int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	FinishedAt  time.Time
}
