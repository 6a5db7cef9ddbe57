package soap

import (
	"fmt"
	"io/fs"
	"net/http"
	pathpkg "path"
	"regexp"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
)

// addressRE matches the location of soap:address (any prefix, SOAP 1.1 or
// 1.2 binding), keeping everything but the URL.
var addressRE = regexp.MustCompile(`(<(?:[A-Za-z_][\w.-]*:)?address\b[^>]*?\blocation\s*=\s*)("[^"]*"|'[^']*')`)

// WSDLHandler serves, for GET and HEAD, the WSDL named wsdlName from files
// at path+"?wsdl" and path+".wsdl" with every soap:address location
// rewritten to publicBaseURL+path, and the .xsd files next to it by name
// (path's directory + "/" + file name). The bytes are prepared once here.
// Any other GET on path is answered with a SOAP Client fault; unknown
// names with echo.ErrNotFound (a SOAP fault under /ws/ via NewEcho).
//
// Mount it with MountWSDL, or with e.GET(dir(path)+"/*", h) (then other
// methods on unknown paths there answer 405 rather than 404).
func WSDLHandler(files fs.FS, wsdlName string, publicBaseURL string, path string) (echo.HandlerFunc, error) {
	h, _, err := wsdlSite(files, wsdlName, publicBaseURL, path)
	return h, err
}

// MountWSDL registers WSDLHandler on e for GET and HEAD of exactly the
// paths it serves (path, path+".wsdl" and each XSD), so that any other
// path under /ws/ stays a 404.
func MountWSDL(e *echo.Echo, files fs.FS, wsdlName, publicBaseURL, path string) error {
	h, paths, err := wsdlSite(files, wsdlName, publicBaseURL, path)
	if err != nil {
		return err
	}
	for _, p := range paths {
		e.GET(p, h)
		e.HEAD(p, h)
	}
	return nil
}

func wsdlSite(files fs.FS, wsdlName string, publicBaseURL string, path string) (echo.HandlerFunc, []string, error) {
	raw, err := fs.ReadFile(files, wsdlName)
	if err != nil {
		return nil, nil, fmt.Errorf("soap: reading WSDL: %w", err)
	}
	location := strings.TrimSuffix(publicBaseURL, "/") + path
	if !addressRE.Match(raw) {
		return nil, nil, fmt.Errorf("soap: %s has no soap:address to rewrite", wsdlName)
	}
	wsdl := addressRE.ReplaceAllFunc(raw, func(m []byte) []byte {
		sub := addressRE.FindSubmatch(m)
		var b strings.Builder
		b.Write(sub[1])
		b.WriteByte('"')
		b.WriteString(escapeAttr(location))
		b.WriteByte('"')
		return []byte(b.String())
	})

	served := map[string][]byte{path + ".wsdl": wsdl}
	dir := pathpkg.Dir(wsdlName)
	entries, err := fs.ReadDir(files, dir)
	if err != nil {
		return nil, nil, fmt.Errorf("soap: listing %s: %w", dir, err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(strings.ToLower(e.Name()), ".xsd") {
			continue
		}
		b, err := fs.ReadFile(files, pathpkg.Join(dir, e.Name()))
		if err != nil {
			return nil, nil, fmt.Errorf("soap: reading %s: %w", e.Name(), err)
		}
		served[pathpkg.Join(pathpkg.Dir(path), e.Name())] = b
	}

	paths := []string{path}
	for p := range served {
		paths = append(paths, p)
	}
	slices.Sort(paths[1:])
	return func(c echo.Context) error {
		r := c.Request()
		p := r.URL.Path
		if p == path {
			if _, ok := r.URL.Query()["wsdl"]; !ok && !strings.EqualFold(r.URL.RawQuery, "wsdl") {
				return WriteFault(c.Response(), Fault{Code: FaultClient, String: fmt.Sprintf("metodo HTTP %s non ammesso: usare POST (WSDL su ?wsdl)", r.Method)})
			}
			p = path + ".wsdl"
		}
		b, ok := served[p]
		if !ok {
			return echo.ErrNotFound
		}
		return c.Blob(http.StatusOK, ContentType, b)
	}, paths, nil
}

func escapeAttr(s string) string {
	return strings.NewReplacer(`&`, "&amp;", `"`, "&quot;", `<`, "&lt;").Replace(s)
}
