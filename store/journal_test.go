package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

func TestJournal(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		t0 := time.Date(2025, 3, 30, 1, 59, 59, 123456789, gateway.Rome)
		ev := func(i int) *gateway.Event {
			return &gateway.Event{
				Time: t0.Add(time.Duration(i) * time.Minute), Direction: gateway.Inbound,
				Component: "SIL", Operation: []string{"paaSILImportaDovuto", "paaSILInviaDovuti"}[i%2],
				CodIpa: []string{"c_a001", "c_b002", "c_c003"}[i%3], IUV: fmt.Sprintf("IUV%d", i%5),
				IUD: fmt.Sprintf("IUD%d", i), IDSession: fmt.Sprintf("S%d", i%7), CCP: "n/a",
				Esito: "OK", DurationMS: int64(i), Remote: "10.0.0.1:1234",
				// COPY text format must escape these.
				Request:  fmt.Sprintf("<a>\n\t\\N %d \\ ' \"</a>\r\n", i),
				Response: "<ok/>",
			}
		}
		var batch []*gateway.Event
		for i := range 100 {
			e := ev(i)
			if i%10 == 9 {
				e.Esito, e.FaultCode = "KO", gateway.CodeIUDDuplicato
			}
			batch = append(batch, e)
		}
		if err := db.AppendEvents(ctx, batch[:1]); err != nil { // single-row path
			t.Fatal(err)
		}
		if err := db.AppendEvents(ctx, batch[1:]); err != nil { // COPY / multi-row path
			t.Fatal(err)
		}
		if err := db.AppendEvents(ctx, nil); err != nil {
			t.Fatal(err)
		}

		all, err := db.SearchEvents(ctx, gateway.JournalFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 100 {
			t.Fatalf("%d events, want 100", len(all))
		}
		// Newest first; fields round-trip, times to the microsecond.
		for k, got := range all {
			want := *batch[99-k]
			want.Time = want.Time.UTC().Truncate(time.Microsecond)
			want.ID = got.ID
			if got.ID == 0 || !reflect.DeepEqual(*got, want) {
				t.Fatalf("event %d = %+v\nwant %+v", k, *got, want)
			}
		}

		count := func(f gateway.JournalFilter, want int) {
			t.Helper()
			got, err := db.SearchEvents(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != want {
				t.Fatalf("SearchEvents(%+v) = %d events, want %d", f, len(got), want)
			}
		}
		count(gateway.JournalFilter{CodIpa: "c_b002"}, 33)
		count(gateway.JournalFilter{Operation: "paaSILInviaDovuti"}, 50)
		count(gateway.JournalFilter{IUV: "IUV3"}, 20)
		count(gateway.JournalFilter{IUD: "IUD42"}, 1)
		count(gateway.JournalFilter{IDSession: "S0"}, 15)
		count(gateway.JournalFilter{FaultCode: gateway.CodeIUDDuplicato}, 10)
		count(gateway.JournalFilter{From: t0.Add(10 * time.Minute)}, 90)
		count(gateway.JournalFilter{To: t0.Add(10 * time.Minute)}, 10)
		count(gateway.JournalFilter{From: t0.Add(10 * time.Minute), To: t0.Add(20 * time.Minute), CodIpa: "c_a001"}, 3)
		count(gateway.JournalFilter{Limit: 7}, 7)
		count(gateway.JournalFilter{CodIpa: "nobody"}, 0)

		// Purge in batches smaller than the work.
		n, err := db.purgeEvents(ctx, t0.Add(25*time.Minute), 10)
		if err != nil || n != 25 {
			t.Fatalf("purge = %d, %v; want 25", n, err)
		}
		count(gateway.JournalFilter{}, 75)
		n, err = db.PurgeEvents(ctx, t0.Add(25*time.Minute))
		if err != nil || n != 0 {
			t.Fatalf("second purge = %d, %v; want 0", n, err)
		}
		left, err := db.SearchEvents(ctx, gateway.JournalFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if oldest := left[len(left)-1]; !oldest.Time.Equal(t0.Add(25 * time.Minute).Truncate(time.Microsecond)) {
			t.Fatalf("oldest left is %v", oldest.Time)
		}
	})
}

func TestAppendEventsLargeBatch(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		evs := make([]*gateway.Event, 5000)
		now := time.Now()
		for i := range evs {
			evs[i] = &gateway.Event{Time: now, Operation: "op", Request: string(make([]byte, 0, 1)) + "x"}
		}
		start := time.Now()
		if err := db.AppendEvents(ctx, evs); err != nil {
			t.Fatal(err)
		}
		t.Logf("%d events in %v", len(evs), time.Since(start))
		got, err := db.SearchEvents(ctx, gateway.JournalFilter{Limit: 10000})
		if err != nil || len(got) != len(evs) {
			t.Fatalf("stored %d events, %v", len(got), err)
		}
	})
}

// Lookups by IUV, IUD and idSession can use their partial indexes (most
// events carry none of them, so only the rows that have one are indexed):
// with sequential scans priced out, PostgreSQL must pick the index.
func TestJournalSearchUsesPartialIndexes(t *testing.T) {
	db := openPostgres(t)
	ctx := context.Background()
	conn, err := db.r.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		f     gateway.JournalFilter
		index string
	}{
		{gateway.JournalFilter{IUV: "01000000000000144"}, "journal_iuv_idx"},
		{gateway.JournalFilter{IUD: "IUD-1"}, "journal_iud_idx"},
		{gateway.JournalFilter{IDSession: "abc"}, "journal_id_session_idx"},
	} {
		q, args := searchEventsSQL(tc.f)
		rows, err := conn.QueryContext(ctx, "EXPLAIN "+db.r.Rebind(q), args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan strings.Builder
		for rows.Next() {
			var line string
			rows.Scan(&line)
			plan.WriteString(line + "\n")
		}
		rows.Close()
		if !strings.Contains(plan.String(), tc.index) {
			t.Errorf("%+v: plan does not use %s:\n%s", tc.f, tc.index, plan.String())
		}
	}
}
