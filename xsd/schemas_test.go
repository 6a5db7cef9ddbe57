package xsd_test

import (
	"bytes"
	"encoding/xml"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ponte-pagopa/ponte/wsdl"
	"github.com/ponte-pagopa/ponte/xsd"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

// TestSchemasCompile loads every schema of xsd/ and wsdl/ with xmllint: a
// document with an unknown root must be rejected for that reason only, not
// because the schema (or one it imports) fails to compile.
func TestSchemasCompile(t *testing.T) {
	files, _ := filepath.Glob("*.xsd")
	more, _ := filepath.Glob("../wsdl/*.xsd")
	files = append(files, more...)
	if len(files) < 14 {
		t.Fatalf("only %d schema files", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			err := xsdtest.Check(f, []byte(`<unknownRoot/>`))
			if err == xsdtest.ErrNoXmllint {
				t.Skip(err)
			}
			if err == nil || !strings.Contains(err.Error(), "No matching global declaration") {
				t.Fatalf("schema does not load: %v", err)
			}
		})
	}
}

// TestEmbeddedFiles checks the embedded file systems hold what the server
// serves, and that the SIL WSDL's payload import resolves next to it.
func TestEmbeddedFiles(t *testing.T) {
	for _, name := range []string{"PagamentiTelematiciDovutiPagati.wsdl", "PagInf_Dovuti_Pagati_6_2_0.xsd",
		"NodoPerPa.wsdl", "PaPerNodo.wsdl", "PaPerNodoPagamentoPsp.wsdl", "paForNode.wsdl", "nodeForPa.wsdl"} {
		if _, err := fs.Stat(wsdl.FS, name); err != nil {
			t.Errorf("wsdl.FS: %v", err)
		}
	}
	for _, name := range []string{"pa-per-ente-types.xsd", "ppthead.xsd", "bilancio.xsd", "PagInf_RPT_RT_6_2_0.xsd",
		"FlussoRiversamento_1_0_4.xsd", "paForNode.xsd", "nodeForPa.xsd", "sac-common-types-1.0.xsd",
		"papernodopsp-types.xsd"} {
		if _, err := fs.Stat(xsd.FS, name); err != nil {
			t.Errorf("xsd.FS: %v", err)
		}
	}
	b, err := fs.ReadFile(wsdl.FS, "PagamentiTelematiciDovutiPagati.wsdl")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`schemaLocation="PagInf_Dovuti_Pagati_6_2_0.xsd"`)) {
		t.Error("SIL WSDL must import the payload schema by its bare file name")
	}
}

// TestInlineSchemasMatchStandalone checks that the schemas our WSDLs carry
// inline are the same definitions as the standalone files used for
// validation (imports aside, which differ by location).
func TestInlineSchemasMatchStandalone(t *testing.T) {
	cases := []struct{ wsdl, ns, file string }{
		{"PagamentiTelematiciDovutiPagati.wsdl", nsSILTypes, "pa-per-ente-types.xsd"},
		{"PagamentiTelematiciDovutiPagati.wsdl", nsSILHead, "ppthead.xsd"},
		{"NodoPerPa.wsdl", nsPPT, "nodoperpa-types.xsd"},
		{"NodoPerPa.wsdl", nsPPTHead, "nodoperpa-ppthead.xsd"},
		{"PaPerNodo.wsdl", nsPPT, "papernodo-types.xsd"},
		{"PaPerNodo.wsdl", nsPPTHead, "papernodo-ppthead.xsd"},
		{"PaPerNodoPagamentoPsp.wsdl", nsPPT, "papernodopsp-types.xsd"},
		{"PaPerNodoPagamentoPsp.wsdl", nsPPTHead, "papernodo-ppthead.xsd"},
	}
	for _, c := range cases {
		doc, err := os.ReadFile(filepath.Join("..", "wsdl", c.wsdl))
		if err != nil {
			t.Fatal(err)
		}
		all, err := spans(doc)
		if err != nil {
			t.Fatal(err)
		}
		var inline []byte
		for _, s := range all {
			if s.name == (xml.Name{Space: xsNamespace, Local: "schema"}) && s.attr("targetNamespace") == c.ns {
				inline = doc[s.startEnd:s.end]
			}
		}
		standalone, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		sall, err := spans(standalone)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := definitions(inline), definitions(standalone[sall[0].startEnd:sall[0].end]); got != want || got == "" {
			t.Errorf("%s inline schema %s differs from %s", c.wsdl, c.ns, c.file)
		}
	}
}

// definitions normalises schema content for comparison: trimmed lines,
// imports dropped.
func definitions(b []byte) string {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.Contains(l, ":import ") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
