package web

import (
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/labstack/echo/v4"
)

func TestRenderSendsProtectiveHeadersAndStyleHash(t *testing.T) {
	css := "body { color: #111 }"
	p, err := NewPages(fstest.MapFS{"s.css": {Data: []byte("\n" + css + "\n")}}, "s.css", nil)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := template.Must(template.New("layout").Parse(`<html lang="it"><style>{{.}}</style></html>`))
	e := echo.New()
	rec := httptest.NewRecorder()
	if err := p.Render(e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec), 201, tmpl, p.CSS()); err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256([]byte(css))
	want := "style-src 'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'"
	if rec.Code != 201 || !strings.Contains(rec.Header().Get("Content-Security-Policy"), want) ||
		rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("X-Frame-Options") != "DENY" ||
		rec.Header().Get("Referrer-Policy") != "no-referrer" || !strings.Contains(rec.Body.String(), "<style>"+css+"</style>") {
		t.Fatalf("%d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	if _, err := NewPages(fstest.MapFS{}, "missing.css", nil); err == nil {
		t.Fatal("a missing stylesheet was accepted")
	}
}
