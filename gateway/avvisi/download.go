package avvisi

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
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

func (h *Downloader) log() *slog.Logger {
	if h.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Log
}
