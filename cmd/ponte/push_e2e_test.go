package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway/push"
	"github.com/ponte-pagopa/ponte/gateway/sim"
)

// TestPushAndReplayEndToEnd: the outcome of each avviso paid at a PSP
// reaches the ente's push URL once; `ponte replay` by IUV sends exactly
// that one again.
func TestPushAndReplayEndToEnd(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, cfg *Config) {
		var (
			mu  sync.Mutex
			got = map[string]int{} // IUV → pushes received
		)
		sil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var p push.Payload
			b, _ := io.ReadAll(r.Body)
			if json.Unmarshal(b, &p) != nil {
				http.Error(w, "bad", http.StatusBadRequest)
				return
			}
			esito, _ := base64.StdEncoding.DecodeString(p.Esito)
			iuv := between(string(esito), "<identificativoUnivocoVersamento>", "</identificativoUnivocoVersamento>")
			mu.Lock()
			got[iuv]++
			mu.Unlock()
			w.Write([]byte(`{}`))
		}))
		defer sil.Close()
		cfg.PushEvery = 50 * time.Millisecond
		e := startE2E(t, cfg, nil)
		ctx := context.Background()
		ente, err := e.a.db.FindEnte(ctx, enteMU)
		must(t, err)
		ente.PushURL = sil.URL + "/esito"
		must(t, e.a.db.UpdateEnte(ctx, ente))

		var iuvs []string
		for _, iud := range []string{"PUSH-E2E-1", "PUSH-E2E-2"} {
			iuvCode, _ := e.importaMU(t, iud, "12.00")
			if res, err := e.node.PayNotice(ctx, cfMU, "3"+iuvCode, sim.PayOptions{Sync: true}); err != nil || res.Outcome != "PAID" {
				t.Fatalf("PSP desk: %+v %v", res, err)
			}
			iuvs = append(iuvs, iuvCode)
		}
		wait := func(want map[string]int) {
			t.Helper()
			deadline := time.Now().Add(e2eWait)
			for {
				mu.Lock()
				ok := got[iuvs[0]] == want[iuvs[0]] && got[iuvs[1]] == want[iuvs[1]]
				snapshot := map[string]int{iuvs[0]: got[iuvs[0]], iuvs[1]: got[iuvs[1]]}
				mu.Unlock()
				if ok {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("pushes received %v, want %v", snapshot, want)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		wait(map[string]int{iuvs[0]: 1, iuvs[1]: 1})

		env := map[string]string{"PONTE_DATA_DIR": cfg.DataDir, "PONTE_DATABASE_URL": cfg.DatabaseURL}
		var out strings.Builder
		if err := run(t.Context(), []string{"replay", "--ente", enteMU, "--iuv", iuvs[0]}, strings.NewReader(""), &out, &out,
			func(k string) string { return env[k] }); err != nil || !strings.Contains(out.String(), "1 outcome pushes") {
			t.Fatalf("ponte replay: %v\n%s", err, out.String())
		}
		wait(map[string]int{iuvs[0]: 2, iuvs[1]: 1})
		time.Sleep(200 * time.Millisecond) // nothing more comes
		wait(map[string]int{iuvs[0]: 2, iuvs[1]: 1})
	})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// between returns the text between a and b in s ("" when absent).
func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	j := strings.Index(s, b)
	if j < 0 {
		return ""
	}
	return s[:j]
}
