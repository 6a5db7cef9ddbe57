package flussi

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/store"
	"github.com/ponte-pagopa/ponte/store/storetest"
)

// Every row code, on every version it applies to, through the whole
// import on both stores: one flusso per version holds every case, and
// each line must come out in _SCARTI with its codes, or be imported.
func TestRowCodesThroughTheStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, _ string, db *store.DB) {
		e := newImportEnv(t, db)
		e.im.Clock = gateway.FixedClock{T: testChecker(V1_0).Now}
		for _, td := range testTipi {
			td := *td
			td.EnteID = e.ente.ID
			if err := db.UpsertTipoDovuto(e.ctx, &td); err != nil {
				t.Fatal(err)
			}
		}
		for _, v := range allVersions {
			t.Run(v.String(), func(t *testing.T) {
				var lines, want []string
				for i, c := range rowCases() {
					if c.versions != nil && !containsVersion(c.versions, v) {
						continue
					}
					f := c.edit(v, validFields(v))
					if strings.ContainsAny(strings.Join(f, ""), `;"`) {
						continue // a field no CSV line can carry as such
					}
					if len(f) > colIUD && f[colIUD] == "IUD-1" {
						f[colIUD] = fmt.Sprintf("R%03d", i) // one IUD per line
					}
					lines = append(lines, strings.Join(f, ";"))
					want = append(want, c.codes)
				}
				base := fmt.Sprintf("%s-CODES%s-%s", testIpa, strings.ReplaceAll(v.String(), "_", ""), v)
				fl := e.run(t, e.load(t, csvZip(t, t.TempDir(), base, lines...)))
				if fl.State != gateway.ImportDone || fl.Rows != int64(len(lines)) {
					t.Fatalf("flusso = %+v", fl)
				}
				got := map[string]string{} // line → codes
				if fl.ScartiPath != "" {
					for _, s := range e.resultLines(t, fl.ScartiPath)[1:] {
						parts := strings.Split(s, ";")
						got[strings.Join(parts[:len(parts)-2], ";")] = parts[len(parts)-2]
					}
				}
				for i, line := range lines {
					codes, rejected := got[line]
					switch {
					case want[i] != "" && !strings.HasPrefix(codes, want[i]):
						t.Errorf("line %d %q: codes %q, want %q", i+2, line, codes, want[i])
					case want[i] == "" && rejected && strings.HasPrefix(codes, "PAA_IMPORT_SINTASSI"):
						// Valid for the row checks; only the store may refuse it
						// (an azione M with nothing to modify, an IUV met twice).
						t.Errorf("line %d %q: refused with %q", i+2, line, codes)
					}
				}
			})
		}
	})
}

func containsVersion(vs []Version, v Version) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}
