package flussi

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/iuv"
)

// Importer processes uploaded import flussi: the engine behind the SIL's
// upload, the worker and `ponte import`.
type Importer struct {
	Store  gateway.ImportStore
	Enti   gateway.EnteStore
	IUVs   gateway.IUVSequence
	Files  Files
	Limits Limits
	Clock  gateway.Clock
	Log    *slog.Logger
	// IUV15Limit is the day from which 15-character IUVs are refused for
	// new dovuti (see sil.Options).
	IUV15Limit time.Time
	// Progress, when set, is called every ProgressEvery rows and at the
	// end with the rows read and the bytes of CSV consumed so far.
	Progress      func(rows, csvBytes, csvSize int64)
	ProgressEvery int64
}

// iuvBlock is how many IUV progressivi an import reserves per round trip.
const iuvBlock = 4096

// staleLoading is how long an upload of the same IUF still loading keeps
// a new one out (MyPay: 24 hours).
const staleLoading = 24 * time.Hour

// Process runs one claimed flusso to its end: IMPORT_ESEGUITO with every
// row stored or rejected, or IMPORT_ABORTITO with a flow-level code. It
// returns an error only when the work could not be finished (database
// down, lease lost): the flusso then stays claimed and is taken over when
// its lease expires, and nothing of it is stored.
func (im *Importer) Process(ctx context.Context, f *gateway.ImportFlusso, owner string) error {
	im.Limits.defaults()
	log := im.logger().With("import", f.ID, "ente", f.CodIpa, "file", f.FileName)
	start := time.Now()
	err := im.process(ctx, f, owner)
	var ez *errZip
	if errors.As(err, &ez) {
		log.Warn("import flusso refused", "stato", ez.Code, "reason", ez.Reason)
		if aerr := im.Store.AbortImport(ctx, f.ID, owner, ez.Code); aerr != nil {
			return fmt.Errorf("flussi: import %d: %w", f.ID, aerr)
		}
		f.State, f.ErrorCode = gateway.ImportAborted, ez.Code
		return nil
	}
	if err != nil {
		return fmt.Errorf("flussi: import %d: %w", f.ID, err)
	}
	log.Info("import flusso done", "rows", f.Rows, "imported", f.Imported, "rejected", f.Rejected,
		"elapsed", time.Since(start).Round(time.Millisecond))
	return nil
}

func (im *Importer) logger() *slog.Logger {
	if im.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return im.Log
}

func (im *Importer) now() time.Time {
	if im.Clock == nil {
		return time.Now()
	}
	return im.Clock.Now()
}

func (im *Importer) process(ctx context.Context, f *gateway.ImportFlusso, owner string) error {
	// 1. The name: <codIPA>-<IUF>-<versione>.zip, codIPA the uploader's.
	name, ok := ParseFileName(f.FileName)
	if !ok {
		return &errZip{gateway.CodeImportNomeFileErr + "(" + f.FileName + ")", "nome file non conforme a <codIPA>-<IUF>-<versione>.zip"}
	}
	if !strings.EqualFold(name.CodIpa, f.CodIpa) {
		return &errZip{"PAA_IMPORT_ENTE_ERR(" + name.CodIpa + "," + f.CodIpa + ")", "il nome del file non è dell'ente"}
	}
	version, ok := ParseVersion(name.Version)
	if !ok {
		return &errZip{"PAA_IMPORT_FILE_VERSIONE_ERR(" + name.Version + ")", "versione del tracciato non supportata"}
	}
	f.IUF, f.Version = name.IUF, name.Version

	// 2. The IUF: imported once, and not while another upload of it loads.
	done, loading, err := im.Store.IUFUse(ctx, f.EnteID, name.IUF, f.ID)
	if err != nil {
		return err
	}
	if done {
		return &errZip{gateway.CodeImportFlussoDuplicato, "flusso " + name.IUF + " già importato"}
	}
	if !loading.IsZero() && im.now().Sub(loading) < staleLoading {
		return &errZip{gateway.CodeImportFlussoCaricamento, "flusso " + name.IUF + " in caricamento"}
	}

	// 3. The stored zip is the one uploaded.
	abs, err := im.Files.Abs(f.Path)
	if err != nil {
		return err
	}
	sum, err := fileMD5(abs)
	if errors.Is(err, os.ErrNotExist) {
		return &errZip{"PAA_IMPORT_NO_FILE_AUTH", "file caricato non trovato"}
	}
	if err != nil {
		return err
	}
	if sum != f.MD5 {
		return &errZip{gateway.CodeImportNoMatchMD5, "MD5 del file diverso da quello del caricamento"}
	}
	zr, err := zip.OpenReader(abs)
	if err != nil {
		return &errZip{gateway.CodeImportErroreGenerico, "zip illeggibile: " + err.Error()}
	}
	defer zr.Close()
	entry, err := checkEntries(&zr.Reader, name.Base, im.Limits)
	if err != nil {
		return err
	}

	// 4. The rows, in one transaction: on the fast path or staged and
	// merged.
	ente, err := im.Enti.FindEnte(ctx, f.CodIpa)
	if err != nil {
		return err
	}
	tx, err := im.Store.BeginImport(ctx, f, owner)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	dir := im.Files.ImportResults(f.CodIpa, f.CreatedAt, name.Base)
	res := &results{
		scarti: &resultFile{files: im.Files, rel: filepath.Join(dir, name.Base+"_SCARTI.zip"), entry: name.Base + "_SCARTI.csv", now: im.now()},
		iuv:    &resultFile{files: im.Files, rel: filepath.Join(dir, name.Base+"_IUV.zip"), entry: name.Base + "_IUV.csv", now: im.now()},
	}
	defer res.reset() // harmless once committed
	gen := &iuvSpan{seq: im.IUVs, enteID: ente.ID, segregation: ente.SegregationCode}

	// The fast path first: new, clean azione I rows go straight into the
	// dovuti in one pass. A row it cannot take (M or A, a repeated IUD or
	// IUV, one already stored) sends the flusso down the staged path,
	// reading the file again.
	direct, err := tx.Direct(ctx)
	if err != nil {
		return err
	}
	var hints gateway.MergeHints
	for {
		var fallback bool
		hints, fallback, err = im.read(ctx, tx, ente, f, entry, version, res, gen, direct)
		if err != nil {
			return err
		}
		if !direct {
			break
		}
		n, ok, err := tx.EndDirect(ctx, !fallback && f.Rows > 0)
		if err != nil {
			return err
		}
		if ok {
			f.Imported, f.Rejected = n, res.rejected
			return im.finish(ctx, tx, f, res)
		}
		if !fallback && f.Rows == 0 {
			break
		}
		res.reset()
		direct = false
	}
	if f.Rows == 0 {
		tx.Rollback()
		return &errZip{CodeImportFlussoVuoto, "il CSV non contiene righe di dati"}
	}
	if f.Imported, f.Rejected, err = tx.Merge(ctx, hints); err != nil {
		return err
	}

	// 5. Result files, complete on disk before the flusso says so. They
	// were written while reading; when the database refused rows the
	// reading could not know of, they are written again from the store.
	// (A repeated IUD adds its code to rows already rejected, so repeats
	// always rewrite.)
	if f.Rejected != res.rejected || hints.MaybeRepeated {
		header := res.header
		res.reset()
		res.header = header
		err := tx.Scarti(ctx, func(raw, codes, descs string) error {
			return res.scarti.line(res.header+";cod_rifiuto;de_rifiuto", raw, ";", codes, ";", descs)
		})
		if err == nil {
			err = tx.Imported(ctx, func(line string) error { return res.iuv.line(res.header, line) })
		}
		if err != nil {
			return err
		}
	}
	return im.finish(ctx, tx, f, res)
}

// finish commits the result files, then the flusso with its rows.
func (im *Importer) finish(ctx context.Context, tx gateway.ImportTx, f *gateway.ImportFlusso, res *results) error {
	f.ScartiPath, f.IUVPath = "", ""
	for _, r := range []struct {
		file *resultFile
		path *string
	}{{res.scarti, &f.ScartiPath}, {res.iuv, &f.IUVPath}} {
		ok, err := r.file.commit()
		if err != nil {
			return err
		}
		if ok {
			*r.path = r.file.rel
		}
	}
	f.State, f.ErrorCode = gateway.ImportDone, ""
	return tx.Commit(ctx, f)
}

// results are the two result files of a flusso, written while it is read.
type results struct {
	header      string
	scarti, iuv *resultFile
	rejected    int64 // rows rejected while reading
}

// resultFile is a result zip holding one CSV, created at its first line
// and committed whole.
type resultFile struct {
	files      Files
	rel, entry string
	now        time.Time
	pf         *PendingFile
	zw         *zip.Writer
	w          *bufio.Writer
}

// line writes one line, after header when it is the first.
func (r *resultFile) line(header string, parts ...string) error {
	if r.w == nil {
		pf, err := r.files.Create(r.rel)
		if err != nil {
			return err
		}
		r.pf, r.zw = pf, zip.NewWriter(pf)
		// Result files are written at the speed rows are read: the
		// fastest level costs a quarter of the default's CPU.
		r.zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(w, flate.BestSpeed)
		})
		ew, err := r.zw.CreateHeader(&zip.FileHeader{Name: r.entry, Method: zip.Deflate, Modified: r.now})
		if err != nil {
			return err
		}
		r.w = bufio.NewWriterSize(ew, 64<<10)
		r.w.WriteString(header)
		r.w.WriteByte('\n')
	}
	for _, p := range parts {
		r.w.WriteString(p)
	}
	return r.w.WriteByte('\n')
}

// commit finishes the file; ok is false when it has no line (no file).
func (r *resultFile) commit() (ok bool, err error) {
	if r.w == nil {
		return false, nil
	}
	if err := r.w.Flush(); err != nil {
		return false, err
	}
	if err := r.zw.Close(); err != nil {
		return false, err
	}
	return true, r.pf.Commit()
}

// reset drops what was written: the file is to be written again, or not
// at all.
func (r *resultFile) reset() {
	if r.pf != nil {
		r.pf.Abort()
	}
	r.pf, r.zw, r.w = nil, nil, nil
}

// reset drops both files and what was counted while writing them.
func (r *results) reset() {
	r.scarti.reset()
	r.iuv.reset()
	r.header, r.rejected = "", 0
}

// CodeImportFlussoVuoto is Ponte's stato for a CSV with no data line:
// MyPay has no code for it, and an empty import is no success.
const CodeImportFlussoVuoto = "PAA_IMPORT_FLUSSO_VUOTO"

// read reads the CSV entry and writes the result files as if the database
// will refuse nothing more. Staged (direct false), every line is staged
// and the hints say what the merge must check. Direct, valid rows are
// inserted and rejected ones only written to _SCARTI; fallback reports a
// row the fast path cannot take (reading stops there).
func (im *Importer) read(ctx context.Context, tx gateway.ImportTx, ente *gateway.Ente, f *gateway.ImportFlusso, entry *zip.File, v Version,
	res *results, gen *iuvSpan, direct bool) (hints gateway.MergeHints, fallback bool, err error) {
	rc, err := entry.Open()
	if err != nil {
		return hints, false, &errZip{gateway.CodeImportErroreGenerico, "CSV illeggibile: " + err.Error()}
	}
	defer rc.Close()
	counted := &countReader{r: &capReader{r: rc, n: min(int64(entry.UncompressedSize64), im.Limits.MaxCSV)}}
	rd := NewReader(counted, v)
	header, err := rd.Header()
	if errors.Is(err, io.EOF) {
		return hints, false, nil // no rows: the caller refuses the flusso
	}
	res.header = header
	if err != nil {
		if isRowError(err) {
			return hints, false, &errZip{gateway.CodeImportErroreGenerico, "intestazione del CSV non valida: " + err.Error()}
		}
		return hints, false, csvError(err)
	}
	tipi := map[string]*gateway.TipoDovuto{}
	chk := &Checker{
		Ente: ente,
		Tipo: func(code string) (*gateway.TipoDovuto, error) {
			if t, ok := tipi[code]; ok {
				return t, nil
			}
			t, err := im.Enti.FindTipoDovuto(ctx, ente.ID, code)
			if errors.Is(err, gateway.ErrNotFound) {
				t, err = nil, nil
			}
			if err != nil {
				return nil, err
			}
			if len(tipi) < 10000 { // an ente has tens of tipi; a hostile file may name millions
				tipi[code] = t
			}
			return t, nil
		},
		Now:        im.now(),
		IUV15Limit: im.IUV15Limit,
		Version:    v,
	}
	if chk.IUV15Limit.IsZero() {
		chk.IUV15Limit = iuv.DefaultLimitNew15
	}
	every := im.ProgressEvery
	if every <= 0 {
		every = 50000
	}
	today := chk.Now.In(gateway.Rome).Format(gateway.DateLayout)
	f.Rows = 0
	// Hashes of the IUDs and supplied IUVs, sorted at the end: a repeat
	// (or a collision) asks the store for its exact check. On the fast
	// path the keys of the dovuti refuse a repeated row at once anyway.
	seed := maphash.MakeSeed()
	iuds := make([]uint64, 0, min(entry.UncompressedSize64/128, 1<<22))
	var iuvs []uint64
	apply := tx.Stage
	if direct {
		apply = tx.Insert
	}
	sk := startSink(ctx, apply)
	defer sk.close()
	var row gateway.ImportRow
	for {
		line, raw, fields, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !isRowError(err) {
			return hints, false, csvError(err)
		}
		row = gateway.ImportRow{Line: line, Raw: raw}
		if err != nil {
			row.Reject(CodeSintassiCSV, err.Error())
		} else if err := chk.Row(line, raw, fields, &row); err != nil {
			return hints, false, err
		} else if !row.Rejected() && row.Azione != "A" && row.Dovuto.DueDate != "" && row.Dovuto.DueDate < today {
			// MyPay's insert and modify functions: a tipo with a
			// mandatory due date takes none in the past.
			if t, _ := chk.Tipo(row.Dovuto.TipoDovuto); t != nil && t.DueDateMandatory {
				row.Reject(gateway.CodeImportDataScadenzaObbligatoria, "data scadenza pagamento antecedente alla data odierna")
			}
		}
		if row.Dovuto.IUD != "" {
			iuds = append(iuds, maphash.String(seed, row.Dovuto.IUD))
		}
		if !row.Rejected() && row.Dovuto.IUV != "" {
			iuvs = append(iuvs, maphash.String(seed, row.Dovuto.IUV))
		}
		if !row.Rejected() && row.Azione != "I" {
			hints.Updates = true
		}
		if !row.Rejected() && row.GeneraIUV && row.Dovuto.IUV == "" && (row.Azione == "I" || row.Azione == "M") {
			code, err := gen.take(ctx)
			if err != nil {
				row.Reject(gateway.CodeImportError, "errore generazione IUV")
				im.logger().Warn("IUV generation failed", "import", f.ID, "line", line, "err", err)
			} else {
				row.Dovuto.IUV = code
			}
		}
		if row.Rejected() {
			// Only the line and the IUD (for the in-file duplicate check)
			// of a rejected row are kept; the database takes UTF-8 only.
			row.Dovuto = gateway.Dovuto{IUD: strings.ToValidUTF8(row.Dovuto.IUD, "\uFFFD")}
			row.Raw = strings.ToValidUTF8(row.Raw, "\uFFFD")
			row.Descriptions = strings.ToValidUTF8(row.Descriptions, "\uFFFD")
		} else {
			row.IUVLine = IUVLine(v, &row)
		}
		switch {
		case direct && hints.Updates:
			sk.close()
			return hints, true, nil
		case direct && row.Rejected():
		case !sk.add(&row):
			return hints, errors.Is(sk.close(), gateway.ErrConflict), nonConflict(sk.close())
		}
		if row.Rejected() {
			res.rejected++
			err = res.scarti.line(header+";cod_rifiuto;de_rifiuto", row.Raw, ";", row.Codes, ";", row.Descriptions)
		} else {
			err = res.iuv.line(header, row.IUVLine)
		}
		if err != nil {
			return hints, false, err
		}
		f.Rows++
		if im.Progress != nil && f.Rows%every == 0 {
			im.Progress(f.Rows, counted.n, int64(entry.UncompressedSize64))
		}
	}
	if im.Progress != nil {
		im.Progress(f.Rows, counted.n, int64(entry.UncompressedSize64))
	}
	err = sk.close()
	hints.MaybeRepeated = repeats(iuds) || repeats(iuvs)
	if direct && hints.MaybeRepeated && err == nil {
		// Rows refused for other reasons may repeat an IUD too, and
		// take its code as well: only the staged path writes that.
		return hints, true, nil
	}
	return hints, direct && errors.Is(err, gateway.ErrConflict), nonConflict(err)
}

// repeats sorts hs and reports whether a value occurs twice.
func repeats(hs []uint64) bool {
	slices.Sort(hs)
	for i := 1; i < len(hs); i++ {
		if hs[i] == hs[i-1] {
			return true
		}
	}
	return false
}

// nonConflict drops the fast path's ErrConflict, which is no failure: the
// flusso takes the staged path instead.
func nonConflict(err error) error {
	if errors.Is(err, gateway.ErrConflict) {
		return nil
	}
	return err
}

// csvError turns a failure to read the CSV itself into a flow-level code.
func csvError(err error) error {
	if errors.Is(err, errTooBig) || errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat) {
		return &errZip{gateway.CodeImportErroreGenerico, "CSV non leggibile: " + err.Error()}
	}
	return err
}

func fileMD5(path string) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	_, sum, err := CopySum(io.Discard, fh, math.MaxInt64-1)
	return sum, err
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	return k, err
}

// iuvSpan hands out IUV17s from blocks reserved for the import: one
// round trip per iuvBlock rows. Unused numbers are lost, never reused.
type iuvSpan struct {
	seq         gateway.IUVSequence
	enteID      int64
	segregation string
	next, end   int64
}

func (s *iuvSpan) take(ctx context.Context) (string, error) {
	if s.next >= s.end {
		first, err := s.seq.ReserveIUV(ctx, s.enteID, iuvBlock)
		if err != nil {
			return "", err
		}
		s.next, s.end = first, first+iuvBlock
	}
	n := s.next
	s.next++
	return iuv.New17(s.segregation, n)
}
