// Package web holds what Ponte's HTML pages share: one inline stylesheet
// allowed by hash, and the headers every page is sent with.
package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// Pages renders one set of templates with their stylesheet.
type Pages struct {
	css string
	csp string
	log *slog.Logger
}

// NewPages reads the stylesheet at cssPath in fsys. The pages carry no
// script and load nothing: the policy allows only that inline style, by
// hash, and forbids framing (clickjacking of pay buttons).
func NewPages(fsys fs.FS, cssPath string, log *slog.Logger) (*Pages, error) {
	b, err := fs.ReadFile(fsys, cssPath)
	if err != nil {
		return nil, fmt.Errorf("web: stylesheet: %w", err)
	}
	if log == nil {
		log = slog.Default()
	}
	css := strings.TrimSpace(string(b))
	h := sha256.Sum256([]byte(css))
	return &Pages{
		css: css,
		csp: "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(h[:]) +
			"'; base-uri 'none'; frame-ancestors 'none'",
		log: log,
	}, nil
}

// MustPages is NewPages for package-level templates embedded in the binary.
func MustPages(fsys fs.FS, cssPath string) *Pages {
	p, err := NewPages(fsys, cssPath, slog.Default())
	if err != nil {
		panic(err)
	}
	return p
}

// CSS is the stylesheet, for the layout's <style> element.
func (p *Pages) CSS() template.CSS { return template.CSS(p.css) }

// CSP is the Content-Security-Policy the pages are sent with.
func (p *Pages) CSP() string { return p.csp }

// Render executes t's "layout" and writes it with status. Pages hold
// personal data and one-time links: they are not cached, and their URLs do
// not travel on in a Referer.
func (p *Pages) Render(c echo.Context, status int, t *template.Template, data any) error {
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", data); err != nil {
		p.log.Error("web: page template", "template", t.Name(), "err", err)
		return c.String(http.StatusInternalServerError, "Errore interno")
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", p.csp)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	return c.HTMLBlob(status, b.Bytes())
}
