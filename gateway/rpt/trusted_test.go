package rpt

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// DecodeTrustedRPT reads what ParseRPT reads, for Ponte's own documents
// and for the node's samples alike.
func TestDecodeTrustedRPTMatchesParseRPT(t *testing.T) {
	docs := map[string][]byte{"built": mustBuild(t, testRequest())}
	for _, s := range []string{
		"pagopa-nodo-dei-pagamenti-test/RPT_T003.xml",
		"pagopa-nodo-dei-pagamenti-test/RPT1_cart5_T001.xml",
		"wisp-converter/rpt.xml",
	} {
		if p := sampleIfAny(t, s); p != nil {
			docs[s] = p
		}
	}
	for name, doc := range docs {
		want := mustParseRPT(t, doc)
		got, err := DecodeTrustedRPT(doc)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: DecodeTrustedRPT\n%+v\nParseRPT\n%+v", name, got, want)
		}
	}
}

func TestDecodeTrustedRPTRefuses(t *testing.T) {
	doc := string(mustBuild(t, testRequest()))
	for name, b := range map[string]string{
		"not XML":   "RPT",
		"truncated": doc[:len(doc)/2],
		"another root": strings.Replace(strings.Replace(doc, "<RPT ", "<RT ", 1),
			"</RPT>", "</RT>", 1),
	} {
		if _, err := DecodeTrustedRPT([]byte(b)); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	// Content the Request cannot hold is still an *InvalidError.
	bad := strings.Replace(doc, "<importoTotaleDaVersare>", "<importoTotaleDaVersare>1", 1)
	_, err := DecodeTrustedRPT([]byte(bad))
	var inv *InvalidError
	if !errors.As(err, &inv) || inv.Field != "importoTotaleDaVersare" {
		t.Errorf("want an importoTotaleDaVersare InvalidError, got %v", err)
	}
}

// sampleIfAny is sample without the skip, so one missing reference
// directory does not hide the built-document case.
func sampleIfAny(t *testing.T, rel string) []byte {
	var b []byte
	t.Run("load "+rel, func(t *testing.T) { b = sample(t, rel) })
	return b
}
