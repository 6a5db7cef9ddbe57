package flussi

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ponte-pagopa/ponte/gateway/signed"
)

// Download types, as in MyPay's download URLs.
const (
	TypeImport         = "FLUSSI_IMPORT"
	TypeExport         = "FLUSSI_EXPORT"
	TypeExportScaduti  = "FLUSSI_EXPORT_SCADUTI"
	downloadClaimFile  = "f"
	downloadClaimEnte  = "e"
	downloadClaimType  = "t"
	downloadMaxPathLen = 1024
)

// DownloadURL is the signed link to a result file: MyPay's shape,
// {public}/public/mybox/download/{enteId}?type=…&securityToken=…&filename=…,
// valid DownloadTTL.
func DownloadURL(s *signed.Signer, publicURL string, enteID int64, typ, rel string) string {
	id := strconv.FormatInt(enteID, 10)
	tok := s.Sign(PurposeDownload, map[string]string{downloadClaimEnte: id, downloadClaimFile: rel, downloadClaimType: typ}, DownloadTTL)
	q := url.Values{"type": {typ}, "securityToken": {tok}, "filename": {rel}}
	return strings.TrimRight(publicURL, "/") + DownloadPath + "/" + id + "?" + q.Encode()
}

// Downloader serves the files DownloadURL signs; anything else is 404, an
// expired link 403.
type Downloader struct {
	Files  Files
	Signer *signed.Signer
}

func (d *Downloader) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	enteID := strings.TrimPrefix(r.URL.Path, DownloadPath+"/")
	q := r.URL.Query()
	claims, err := d.Signer.Verify(PurposeDownload, q.Get("securityToken"))
	if err != nil {
		status := http.StatusNotFound
		if err == signed.ErrExpired {
			status = http.StatusForbidden
		}
		http.Error(w, "link non valido o scaduto", status)
		return
	}
	rel := q.Get("filename")
	if len(rel) > downloadMaxPathLen || claims[downloadClaimFile] != rel || claims[downloadClaimEnte] != enteID ||
		claims[downloadClaimType] != q.Get("type") {
		http.Error(w, "link non valido", http.StatusNotFound)
		return
	}
	abs, err := d.Files.Abs(rel)
	if err != nil {
		http.Error(w, "link non valido", http.StatusNotFound)
		return
	}
	fh, err := os.Open(abs)
	if err != nil {
		http.Error(w, "file non più disponibile", http.StatusNotFound)
		return
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil || st.IsDir() {
		http.Error(w, "file non più disponibile", http.StatusNotFound)
		return
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(transferTimeout))
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filepath.Base(abs)+`"`)
	w.Header().Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, filepath.Base(abs), st.ModTime(), fh)
}
