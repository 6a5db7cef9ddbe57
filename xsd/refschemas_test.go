package xsd_test

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

const (
	nsSILTypes  = "http://www.regione.veneto.it/pagamenti/ente/"
	nsSILHead   = "http://www.regione.veneto.it/pagamenti/ente/ppthead"
	nsPPT       = "http://ws.pagamenti.telematici.gov/"
	nsPPTHead   = "http://ws.pagamenti.telematici.gov/ppthead"
	xsNamespace = "http://www.w3.org/2001/XMLSchema"
)

// pair is one of our schema files and the reference schema it must match.
type pair struct {
	ours, ref string
	ns        string          // target namespace of ours
	elements  map[string]bool // global element names of ours
}

var schemaLocation = regexp.MustCompile(`schemaLocation="([^"]*)"`)

// refSchemas materialises the reference schemas as files xmllint can load and
// pairs them with ours. Inline WSDL schemas are extracted; the MyPay payload
// schema gets its `\/` pattern escapes (which libxml2 rejects) replaced by `/`.
// It skips the test when the reference tree is absent.
func refSchemas(t *testing.T) []pair {
	t.Helper()
	if xsdtest.RefPath("") == "" {
		t.Skip("reference tree ../shared/reference absent")
	}
	dir := t.TempDir()
	ref := func(rel string) string {
		p := xsdtest.RefPath(rel)
		if p == "" {
			t.Fatalf("reference file %s missing", rel)
		}
		return p
	}
	payload, err := os.ReadFile(ref("mypay/wsdl/pa/PagInf_Dovuti_Pagati_6_2_0.xsd"))
	if err != nil {
		t.Fatal(err)
	}
	payloadPath := filepath.Join(dir, "PagInf_Dovuti_Pagati_6_2_0.xsd")
	writeFile(t, payloadPath, bytes.ReplaceAll(payload, []byte(`\/`), []byte(`/`)))

	// The SIL WSDL's inline schemas import the payload by a bare relative
	// name, which resolves to the patched copy written next to them.
	sil := inlineSchemas(t, ref("mypay/wsdl/pa/pa-per-ente.wsdl"), dir, "sil", nil)
	// The SIL types schema uses header types without importing them.
	sil = inlineSchemas(t, ref("mypay/wsdl/pa/pa-per-ente.wsdl"), dir, "sil", map[string]string{
		nsSILTypes: importOf(nsSILHead, sil[nsSILHead]),
	})
	nodo := inlineSchemas(t, ref("pagopa/pagopa-api/gad/wsdl/NodoPerPa.wsdl"), dir, "nodoperpa", nil)
	pa := inlineSchemas(t, ref("pagopa/pagopa-api/gad/wsdl/PaPerNodo.wsdl"), dir, "papernodo", nil)
	// Its types include the gad copy of the common types (in the ppt
	// namespace) and import the RPT/RT schema, both found next to it.
	psp := inlineSchemas(t, ref("pagopa/pagopa-api/gad/wsdl/PaPerNodoPagamentoPsp.wsdl"), dir, "papernodopsp", nil)

	list := [][2]string{
		{xsdtest.Path("PagInf_Dovuti_Pagati_6_2_0.xsd"), payloadPath},
		{xsdtest.Path("bilancio.xsd"), ref("mypay/wsdl/pa/bilancioDefault.xsd")},
		{xsdtest.Path("pa-per-ente-types.xsd"), sil[nsSILTypes]},
		{xsdtest.Path("ppthead.xsd"), sil[nsSILHead]},
		{xsdtest.Path("nodoperpa-types.xsd"), nodo[nsPPT]},
		{xsdtest.Path("nodoperpa-ppthead.xsd"), nodo[nsPPTHead]},
		{xsdtest.Path("papernodo-types.xsd"), pa[nsPPT]},
		{xsdtest.Path("papernodo-ppthead.xsd"), pa[nsPPTHead]},
		{xsdtest.Path("papernodopsp-types.xsd"), psp[nsPPT]},
		{xsdtest.Path("papernodo-ppthead.xsd"), psp[nsPPTHead]},
		{xsdtest.Path("PagInf_RPT_RT_6_2_0.xsd"), ref("pagopa/pagopa-api/gad/xsd/PagInf_RPT_RT_6_2_0.xsd")},
		{xsdtest.Path("paForNode.xsd"), ref("pagopa/pagopa-api/wsdl/xsd/paForNode.xsd")},
		{xsdtest.Path("nodeForPa.xsd"), ref("pagopa/pagopa-api/wsdl/xsd/nodeForPa.xsd")},
		{xsdtest.Path("sac-common-types-1.0.xsd"), ref("pagopa/pagopa-api/xsd-common/sac-common-types-1.0.xsd")},
		{xsdtest.Path("FlussoRiversamento_1_0_4.xsd"), ref("pagopa/pagopa-api/xsd-common/FlussoRiversamento_1_0_4.xsd")},
	}
	var out []pair
	for _, l := range list {
		ns, els := globalElements(t, l[0])
		out = append(out, pair{ours: l[0], ref: l[1], ns: ns, elements: els})
	}
	return out
}

// inlineSchemas writes each <schema> of the WSDL at path to dir as a file of
// its own, carrying over the namespace declarations in scope, inserting
// extra[targetNamespace] as first content and making relative schemaLocations
// that exist next to the WSDL absolute. It returns targetNamespace -> file.
func inlineSchemas(t *testing.T, path, dir, prefix string, extra map[string]string) map[string]string {
	t.Helper()
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	all, err := spans(doc)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := map[string]string{}
	for i, s := range all {
		if s.name != (xml.Name{Space: xsNamespace, Local: "schema"}) || s.parent < 0 || all[s.parent].name.Local != "types" {
			continue
		}
		tns := s.attr("targetNamespace")
		text := cut(doc, s, extra[tns])
		text = schemaLocation.ReplaceAllFunc(text, func(m []byte) []byte {
			loc := string(schemaLocation.FindSubmatch(m)[1])
			if filepath.IsAbs(loc) {
				return m
			}
			if _, err := os.Stat(filepath.Join(dir, loc)); err == nil {
				return m // a patched copy already sits next to the extracted file
			}
			if p := filepath.Join(filepath.Dir(path), loc); fileExists(p) {
				return []byte(`schemaLocation="` + p + `"`)
			}
			return m
		})
		file := filepath.Join(dir, prefix+"-"+filepath.Base(path)+"-"+string(rune('a'+i%26))+".xsd")
		writeFile(t, file, text)
		out[tns] = file
	}
	return out
}

func importOf(ns, location string) string {
	return `<xsi:import xmlns:xsi="` + xsNamespace + `" namespace="` + ns + `" schemaLocation="` + location + `"/>`
}

// globalElements returns the target namespace and the names of the global
// elements declared by the schema file at path.
func globalElements(t *testing.T, path string) (string, map[string]bool) {
	t.Helper()
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	all, err := spans(doc)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	els := map[string]bool{}
	for _, c := range children(all, 0) {
		if all[c].name == (xml.Name{Space: xsNamespace, Local: "element"}) {
			els[all[c].attr("name")] = true
		}
	}
	return all[0].attr("targetNamespace"), els
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
