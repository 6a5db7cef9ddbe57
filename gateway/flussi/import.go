package flussi

import (
	"archive/zip"
	"bufio"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
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

	// 4. The rows, staged one by one, then merged in one transaction.
	ente, err := im.Enti.FindEnte(ctx, f.CodIpa)
	if err != nil {
		return err
	}
	tx, err := im.Store.BeginImport(ctx, f, owner)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	header, err := im.stage(ctx, tx, ente, f, entry, version)
	if err != nil {
		return err
	}
	if f.Rows == 0 {
		tx.Rollback()
		return &errZip{CodeImportFlussoVuoto, "il CSV non contiene righe di dati"}
	}
	if f.Imported, f.Rejected, err = tx.Merge(ctx); err != nil {
		return err
	}

	// 5. Result files, complete on disk before the flusso says so.
	dir := im.Files.ImportResults(f.CodIpa, f.CreatedAt, name.Base)
	f.ScartiPath, f.IUVPath = "", ""
	if f.Rejected > 0 {
		f.ScartiPath = filepath.Join(dir, name.Base+"_SCARTI.zip")
		err = im.writeResult(f.ScartiPath, name.Base+"_SCARTI.csv", header+";cod_rifiuto;de_rifiuto", func(w *bufio.Writer) error {
			return tx.Scarti(ctx, func(raw, codes, descs string) error {
				w.WriteString(raw)
				w.WriteByte(';')
				w.WriteString(codes)
				w.WriteByte(';')
				w.WriteString(descs)
				return w.WriteByte('\n')
			})
		})
		if err != nil {
			return err
		}
	}
	if f.Imported > 0 {
		f.IUVPath = filepath.Join(dir, name.Base+"_IUV.zip")
		err = im.writeResult(f.IUVPath, name.Base+"_IUV.csv", header, func(w *bufio.Writer) error {
			return tx.Imported(ctx, func(line string) error {
				w.WriteString(line)
				return w.WriteByte('\n')
			})
		})
		if err != nil {
			return err
		}
	}
	f.State, f.ErrorCode = gateway.ImportDone, ""
	return tx.Commit(ctx, f)
}

// CodeImportFlussoVuoto is Ponte's stato for a CSV with no data line:
// MyPay has no code for it, and an empty import is no success.
const CodeImportFlussoVuoto = "PAA_IMPORT_FLUSSO_VUOTO"

// stage reads the CSV entry and stages every line; it returns the header.
func (im *Importer) stage(ctx context.Context, tx gateway.ImportTx, ente *gateway.Ente, f *gateway.ImportFlusso, entry *zip.File, v Version) (string, error) {
	rc, err := entry.Open()
	if err != nil {
		return "", &errZip{gateway.CodeImportErroreGenerico, "CSV illeggibile: " + err.Error()}
	}
	defer rc.Close()
	counted := &countReader{r: &capReader{r: rc, n: min(int64(entry.UncompressedSize64), im.Limits.MaxCSV)}}
	rd := NewReader(counted, v)
	header, err := rd.Header()
	if errors.Is(err, io.EOF) {
		return "", nil // no rows: the caller refuses the flusso
	}
	if err != nil {
		if isRowError(err) {
			return "", &errZip{gateway.CodeImportErroreGenerico, "intestazione del CSV non valida: " + err.Error()}
		}
		return "", csvError(err)
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
	gen := &iuvSpan{seq: im.IUVs, enteID: ente.ID, segregation: ente.SegregationCode}
	every := im.ProgressEvery
	if every <= 0 {
		every = 50000
	}
	today := chk.Now.In(gateway.Rome).Format(gateway.DateLayout)
	f.Rows = 0
	var row gateway.ImportRow
	for {
		line, raw, fields, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !isRowError(err) {
			return "", csvError(err)
		}
		row = gateway.ImportRow{Line: line, Raw: raw}
		if err != nil {
			row.Reject(CodeSintassiCSV, err.Error())
		} else if err := chk.Row(line, raw, fields, &row); err != nil {
			return "", err
		} else if !row.Rejected() && row.Azione != "A" && row.Dovuto.DueDate != "" && row.Dovuto.DueDate < today {
			// MyPay's insert and modify functions: a tipo with a
			// mandatory due date takes none in the past.
			if t, _ := chk.Tipo(row.Dovuto.TipoDovuto); t != nil && t.DueDateMandatory {
				row.Reject(gateway.CodeImportDataScadenzaObbligatoria, "data scadenza pagamento antecedente alla data odierna")
			}
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
		if err := tx.Stage(ctx, &row); err != nil {
			return "", err
		}
		f.Rows++
		if im.Progress != nil && f.Rows%every == 0 {
			im.Progress(f.Rows, counted.n, int64(entry.UncompressedSize64))
		}
	}
	if im.Progress != nil {
		im.Progress(f.Rows, counted.n, int64(entry.UncompressedSize64))
	}
	return header, nil
}

// csvError turns a failure to read the CSV itself into a flow-level code.
func csvError(err error) error {
	if errors.Is(err, errTooBig) || errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat) {
		return &errZip{gateway.CodeImportErroreGenerico, "CSV non leggibile: " + err.Error()}
	}
	return err
}

// writeResult writes a result zip holding one CSV, committed whole.
func (im *Importer) writeResult(rel, entry, header string, body func(*bufio.Writer) error) error {
	pf, err := im.Files.Create(rel)
	if err != nil {
		return err
	}
	defer pf.Abort()
	zw := zip.NewWriter(pf)
	ew, err := zw.CreateHeader(&zip.FileHeader{Name: entry, Method: zip.Deflate, Modified: im.now()})
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(ew, 64<<10)
	w.WriteString(header)
	w.WriteByte('\n')
	if err := body(w); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return pf.Commit()
}

func fileMD5(path string) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	h := md5.New()
	if _, err := io.Copy(h, fh); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
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
