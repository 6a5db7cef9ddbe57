package xsdtest

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	schema := Path("ppthead.xsd")
	ok := `<h:intestazionePPT xmlns:h="http://www.regione.veneto.it/pagamenti/ente/ppthead"><codIpaEnte>E1</codIpaEnte></h:intestazionePPT>`
	Validate(t, schema, []byte(ok))
	bad := strings.Replace(ok, "<codIpaEnte>E1</codIpaEnte>", "<h:codIpaEnte>E1</h:codIpaEnte>", 1)
	err := Check(schema, []byte(bad))
	if err == nil || !strings.Contains(err.Error(), "codIpaEnte") {
		t.Fatalf("qualified child accepted or unclear message: %v", err)
	}
}

func TestPaths(t *testing.T) {
	if p := Path("PagInf_Dovuti_Pagati_6_2_0.xsd"); filepath.Base(filepath.Dir(p)) != "wsdl" || !filepath.IsAbs(p) {
		t.Errorf("payload schema at %s, want absolute path in wsdl/", p)
	}
	if p := Path("bilancio.xsd"); filepath.Base(filepath.Dir(p)) != "xsd" {
		t.Errorf("bilancio.xsd at %s", p)
	}
	if RefPath("no/such/file.xsd") != "" {
		t.Error("RefPath of a missing file must be empty")
	}
	defer func() {
		if recover() == nil {
			t.Error("Path of an unknown schema must panic")
		}
	}()
	Path("nope.xsd")
}
