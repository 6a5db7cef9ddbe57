package flussi

import (
	"archive/zip"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/signed"
)

// Token purposes and lifetimes (MyPay: upload JWT 1 h, download 2 h).
const (
	PurposeUpload   = "FLUSSI_IMPORT_UPLOAD"
	PurposeDownload = "MYBOX_DOWNLOAD"
	UploadTTL       = time.Hour
	// transferTimeout bounds one upload or download.
	transferTimeout = 15 * time.Minute
	DownloadTTL     = 2 * time.Hour
	// UploadPath is MyPay's upload address, relative to the public URL.
	UploadPath = "/public/mybox/uploadFlusso"
	// DownloadPath is followed by /{enteId}.
	DownloadPath = "/public/mybox/download"
)

// UploadToken is the authorizationToken of paaSILAutorizzaImportFlusso.
func UploadToken(s *signed.Signer, codIpa, requestToken string) string {
	return s.Sign(PurposeUpload, map[string]string{"ente": codIpa, "rt": requestToken}, UploadTTL)
}

// Uploader serves MyPay's multipart upload of an import flusso:
// `POST /public/mybox/uploadFlusso?authorizationToken=…`, one non-empty
// file part under any name, answered with HTTP 200 and a JSON array.
type Uploader struct {
	Store  gateway.ImportStore
	Enti   gateway.EnteStore
	Files  Files
	Signer *signed.Signer
	Limits Limits
	Log    *slog.Logger
	// Wake, when set, is called after a flusso is recorded.
	Wake func()
}

type uploadOK struct {
	FileName string `json:"fileName"`
	FileSize string `json:"fileSize"`
	FileType string `json:"fileType"`
}

type uploadKO struct {
	Codice      string `json:"codice"`
	Descrizione string `json:"descrizione"`
}

// uploadError is an answer of the upload other than success.
type uploadError struct {
	status string // "400" or "500"
	msg    string
	err    error // logged
}

func (u *Uploader) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.Limits.defaults()
	if u.Log == nil {
		u.Log = slog.New(slog.DiscardHandler)
	}
	ok, uerr := u.upload(w, r)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK) // MyPay answers 200 in every case
	if uerr != nil {
		uid := newUID()
		level := slog.LevelInfo
		if uerr.status == "500" {
			level = slog.LevelError
		}
		u.Log.Log(r.Context(), level, "upload refused", "uid", uid, "msg", uerr.msg, "err", uerr.err)
		_ = json.NewEncoder(w).Encode([]uploadKO{{Codice: uerr.status, Descrizione: "[" + uid + "] " + uerr.msg}})
		return
	}
	_ = json.NewEncoder(w).Encode([]uploadOK{*ok})
}

func newUID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (u *Uploader) upload(w http.ResponseWriter, r *http.Request) (*uploadOK, *uploadError) {
	if r.Method != http.MethodPost {
		return nil, &uploadError{status: "400", msg: "metodo non ammesso"}
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, &uploadError{status: "400", msg: "richiesta multipart/form-data attesa"}
	}
	// A large zip over a slow link needs longer than a SOAP call.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(transferTimeout))
	// The multipart envelope adds a little to the file.
	r.Body = http.MaxBytesReader(w, r.Body, u.Limits.MaxUpload+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, &uploadError{status: "400", msg: "richiesta multipart non valida", err: err}
	}
	token := r.URL.Query().Get("authorizationToken")
	var (
		saved    *PendingFile
		name     string
		size     int64
		md5sum   string
		ctype    string
		nonEmpty int
	)
	defer func() {
		if saved != nil {
			saved.Abort()
		}
	}()
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, tooBigOr(err, "richiesta multipart non valida")
		}
		if p.FileName() == "" {
			if p.FormName() == "authorizationToken" && token == "" {
				b, _ := io.ReadAll(io.LimitReader(p, 4096))
				token = strings.TrimSpace(string(b))
			}
			continue
		}
		// Go's FileName already drops directories; refuse what remains odd.
		fn := p.FileName()
		pf, err := u.Files.Create(filepath.Join("tmp", "upload-"+newUID()+".zip"))
		if err != nil {
			return nil, &uploadError{status: "500", msg: "errore di salvataggio del file", err: err}
		}
		n, sum, err := CopySum(pf, p, u.Limits.MaxUpload)
		if errors.Is(err, ErrTooLarge) {
			pf.Abort()
			return nil, &uploadError{status: "400", msg: "file oltre la dimensione massima di " + strconv.FormatInt(u.Limits.MaxUpload, 10) + " byte"}
		}
		if err != nil {
			pf.Abort()
			return nil, tooBigOr(err, "errore di lettura del file")
		}
		if n == 0 {
			pf.Abort()
			continue
		}
		nonEmpty++
		if saved != nil {
			pf.Abort()
			continue
		}
		saved, name, size, md5sum, ctype = pf, fn, n, sum, p.Header.Get("Content-Type")
	}
	if nonEmpty != 1 || saved == nil {
		return nil, &uploadError{status: "400", msg: "è richiesto esattamente un file non vuoto"}
	}
	claims, err := u.Signer.Verify(PurposeUpload, token)
	if err != nil {
		return nil, &uploadError{status: "400", msg: "authorizationToken non valido o scaduto", err: err}
	}
	codIpa, requestToken := claims["ente"], claims["rt"]
	if !strings.HasSuffix(name, ".zip") || strings.ContainsAny(name, `/\`) || strings.Contains(name, "..") {
		return nil, &uploadError{status: "400", msg: "il nome del file deve terminare con .zip"}
	}
	if _, err := u.Store.FindImportByToken(r.Context(), requestToken); err == nil {
		return nil, &uploadError{status: "400", msg: "Request token già usato"}
	} else if !errors.Is(err, gateway.ErrNotFound) {
		return nil, &uploadError{status: "500", msg: "errore interno", err: err}
	}
	ente, err := u.Enti.FindEnte(r.Context(), codIpa)
	if err != nil {
		return nil, &uploadError{status: "500", msg: "ente non trovato", err: err}
	}
	if err := saved.Commit(); err != nil {
		return nil, &uploadError{status: "500", msg: "errore di salvataggio del file", err: err}
	}
	tmpAbs := saved.final
	saved = nil
	defer os.Remove(tmpAbs) // a no-op once renamed
	if uerr := u.checkZip(tmpAbs, name); uerr != nil {
		return nil, uerr
	}
	rel := u.Files.ImportUpload(ente.CodIpa, requestToken, name)
	abs, err := u.Files.Abs(rel)
	if err == nil {
		err = os.MkdirAll(filepath.Dir(abs), 0o750)
	}
	if err == nil {
		err = os.Rename(tmpAbs, abs)
	}
	if err != nil {
		return nil, &uploadError{status: "500", msg: "errore di salvataggio del file", err: err}
	}
	fn, _ := ParseFileName(name)
	f := &gateway.ImportFlusso{EnteID: ente.ID, CodIpa: ente.CodIpa, RequestToken: requestToken, FileName: name,
		IUF: fn.IUF, Version: fn.Version, Path: rel, MD5: md5sum, Size: size}
	if err := u.Store.CreateImport(r.Context(), f); err != nil {
		os.Remove(abs)
		if errors.Is(err, gateway.ErrConflict) {
			return nil, &uploadError{status: "400", msg: "Request token già usato"}
		}
		return nil, &uploadError{status: "500", msg: "errore interno", err: err}
	}
	if u.Wake != nil {
		u.Wake()
	}
	if ctype == "" {
		ctype = "application/zip"
	}
	return &uploadOK{FileName: name, FileSize: strconv.FormatInt(size, 10), FileType: ctype}, nil
}

// checkZip is MyPay's validateFile: a readable zip whose entries are all
// named after it.
func (u *Uploader) checkZip(path, name string) *uploadError {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return &uploadError{status: "400", msg: "il file non è uno zip valido", err: err}
	}
	defer zr.Close()
	base := strings.TrimSuffix(name, ".zip")
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, base+".") || strings.ContainsAny(f.Name, `/\`) || strings.Contains(f.Name, "..") {
			return &uploadError{status: "400", msg: "il file " + f.Name + " nello zip non ha il nome dello zip"}
		}
	}
	return nil
}

func tooBigOr(err error, msg string) *uploadError {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &uploadError{status: "400", msg: "file oltre la dimensione massima", err: err}
	}
	return &uploadError{status: "400", msg: msg, err: err}
}
