package avvisi

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/signed"
)

// DownloadPath is MyPay's public avviso download (urlFileAvviso of
// paaSILImportaDovuto): ?id=<IUV>&securityToken=<signed token>.
const DownloadPath = "/public/landing/avviso"

// linkPurpose names the signed tokens of avviso links; linkTTL is
// MyPay's validity of them (two years).
const (
	linkPurpose = "avviso"
	linkTTL     = 2 * 365 * 24 * time.Hour
)

// DownloadURL is the link to the avviso of the ente's IUV.
func DownloadURL(s *signed.Signer, publicURL, codIpa, iuv string) string {
	tok := s.Sign(linkPurpose, map[string]string{"ente": codIpa, "iuv": iuv}, linkTTL)
	return publicURL + DownloadPath + "?id=" + url.QueryEscape(iuv) + "&securityToken=" + url.QueryEscape(tok)
}

// Store is what the download reads.
type Store interface {
	FindEnte(ctx context.Context, codIpa string) (*gateway.Ente, error)
	FindDovutoByIUV(ctx context.Context, enteID int64, iuv string) (*gateway.Dovuto, error)
}

// Downloader serves DownloadPath: the avviso PDF of a dovuto still to be
// paid, to whoever holds a valid link (no login, as in MyPay).
type Downloader struct {
	Store  Store
	Signer *signed.Signer
	Log    *slog.Logger
}

func (h *Downloader) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	data, err := h.Signer.Verify(linkPurpose, r.URL.Query().Get("securityToken"))
	switch {
	case errors.Is(err, signed.ErrExpired):
		http.Error(w, "link scaduto: chiedere all'ente un nuovo avviso", http.StatusGone)
		return
	case err != nil || data["iuv"] != r.URL.Query().Get("id"):
		http.Error(w, "link non valido", http.StatusForbidden)
		return
	}
	ctx := r.Context()
	e, err := h.Store.FindEnte(ctx, data["ente"])
	var d *gateway.Dovuto
	if err == nil {
		d, err = h.Store.FindDovutoByIUV(ctx, e.ID, data["iuv"])
	}
	switch {
	case errors.Is(err, gateway.ErrNotFound):
		http.Error(w, "avviso non trovato", http.StatusNotFound)
		return
	case err != nil:
		h.log().Error("avvisi: download", "err", err)
		http.Error(w, "servizio non disponibile, riprovare più tardi", http.StatusServiceUnavailable)
		return
	}
	switch d.State {
	case gateway.DovutoCompletato, gateway.DovutoAnnullato, gateway.DovutoScaduto:
		http.Error(w, "l'avviso non è più da pagare", http.StatusGone)
		return
	}
	a, err := FromDovuto(e, d)
	var pdf bytes.Buffer
	if err == nil {
		err = Render(&pdf, a)
	}
	if err != nil {
		h.log().Error("avvisi: rendering", "codIpa", e.CodIpa, "iuv", d.IUV, "err", err)
		http.Error(w, "avviso non generabile", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+FileName(e.CodiceFiscale, d.IUV)+`"`)
	w.Write(pdf.Bytes())
}

func (h *Downloader) log() *slog.Logger { return orDiscard(h.Log) }

func (h *FlussoDownloader) log() *slog.Logger { return orDiscard(h.Log) }

func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// FlussoPath serves the avvisi of an import flusso (urlFileAvvisi of
// paaSILChiediStatoImportFlusso): one zip of avviso_<IUV>.pdf, rendered
// while it streams, for every dovuto of the flusso still to be paid.
const FlussoPath = "/public/mybox/avvisi"

const flussoPurpose = "avvisi-flusso"

// FlussoURL is the link, valid ttl, to the avvisi of import importID of
// the ente, downloaded as name.
func FlussoURL(s *signed.Signer, publicURL, codIpa string, importID int64, name string, ttl time.Duration) string {
	tok := s.Sign(flussoPurpose, map[string]string{"ente": codIpa, "import": strconv.FormatInt(importID, 10), "name": name}, ttl)
	return publicURL + FlussoPath + "?securityToken=" + url.QueryEscape(tok)
}

// FlussoStore is what the flusso download reads.
type FlussoStore interface {
	FindEnte(ctx context.Context, codIpa string) (*gateway.Ente, error)
	EachImportedPayable(ctx context.Context, enteID, importID int64, fn func(*gateway.Dovuto) error) error
}

// FlussoDownloader serves FlussoPath. The PDFs are made on request, not
// at import: an import of a million rows stays fast, and a link asked
// later leaves out the notices paid meanwhile.
type FlussoDownloader struct {
	Store  FlussoStore
	Signer *signed.Signer
	Log    *slog.Logger
}

func (h *FlussoDownloader) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	data, err := h.Signer.Verify(flussoPurpose, r.URL.Query().Get("securityToken"))
	if err != nil {
		status := http.StatusNotFound
		if errors.Is(err, signed.ErrExpired) {
			status = http.StatusForbidden
		}
		http.Error(w, "link non valido o scaduto", status)
		return
	}
	importID, err := strconv.ParseInt(data["import"], 10, 64)
	if err != nil {
		http.Error(w, "link non valido", http.StatusNotFound)
		return
	}
	ctx := r.Context()
	e, err := h.Store.FindEnte(ctx, data["ente"])
	if err != nil {
		http.Error(w, "ente non trovato", http.StatusNotFound)
		return
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{}) // as long as the rendering takes
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+data["name"]+`"`)
	w.Header().Set("Cache-Control", "private, no-store")
	zw := zip.NewWriter(w)
	var pdf bytes.Buffer
	err = h.Store.EachImportedPayable(ctx, e.ID, importID, func(d *gateway.Dovuto) error {
		a, err := FromDovuto(e, d)
		if err != nil {
			return err
		}
		pdf.Reset()
		if err := Render(&pdf, a); err != nil {
			return err
		}
		f, err := zw.CreateHeader(&zip.FileHeader{Name: "avviso_" + d.IUV + ".pdf", Method: zip.Store, Modified: time.Now()})
		if err != nil {
			return err
		}
		_, err = f.Write(pdf.Bytes())
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		// The status is sent: a broken zip is what the client sees.
		h.log().Error("avvisi: flusso download", "codIpa", e.CodIpa, "import", importID, "err", err)
	}
}
