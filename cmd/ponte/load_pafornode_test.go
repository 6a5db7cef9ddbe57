package main

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The modello-unico half of `make bench`: paVerifyPaymentNotice,
// paGetPaymentV2 and paSendRTV2 on the real `ponte serve` process and
// PostgreSQL, each at full speed and at 1,000 requests/s offered, next to
// the decode-only baseline measured in the same run. The notices are
// dovuti of ENTE_DEMO_MU inserted in bulk before the runs; every receipt
// pays a notice of its own, so each paSendRTV2 opens a PSP cart, stores
// the receipt and completes the dovuto, as in production.

const (
	loadMUDominio = "01234567897"
	loadMUStation = "12345678903_02"
	loadMUBroker  = "12345678903"
)

// muIUV is the IUV of load notice n (application code 01, then 99 so
// that it never meets a generated one).
func muIUV(n int64) string { return fmt.Sprintf("0199%013d", n) }

func muEnvelope(body string) []byte {
	return []byte(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:pafn="http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd"><soapenv:Body>` +
		body + `</soapenv:Body></soapenv:Envelope>`)
}

func muIDs() string {
	return "<idPA>" + loadMUDominio + "</idPA><idBrokerPA>" + loadMUBroker + "</idBrokerPA><idStation>" + loadMUStation + "</idStation>"
}

func muQR(n int64) string {
	return "<qrCode><fiscalCode>" + loadMUDominio + "</fiscalCode><noticeNumber>3" + muIUV(n) + "</noticeNumber></qrCode>"
}

func muReceipt(n int64) []byte {
	iuv := muIUV(n)
	return muEnvelope(`<pafn:paSendRTV2Request>` + muIDs() + `<receipt><receiptId>load` + strconv.FormatInt(n, 10) + `</receiptId>` +
		`<noticeNumber>3` + iuv + `</noticeNumber><fiscalCode>` + loadMUDominio + `</fiscalCode><outcome>OK</outcome>` +
		`<creditorReferenceId>` + iuv + `</creditorReferenceId><paymentAmount>150.00</paymentAmount><description>TARI 2030</description>` +
		`<companyName>Comune di Ponte Demo MU</companyName><debtor><uniqueIdentifier><entityUniqueIdentifierType>F</entityUniqueIdentifierType>` +
		`<entityUniqueIdentifierValue>RSSMRA80A01H501U</entityUniqueIdentifierValue></uniqueIdentifier><fullName>Mario Rossi</fullName></debtor>` +
		`<transferList><transfer><idTransfer>1</idTransfer><transferAmount>150.00</transferAmount><fiscalCodePA>` + loadMUDominio + `</fiscalCodePA>` +
		`<IBAN>IT60X0542811101000000123456</IBAN><remittanceInformation>TARI 2030</remittanceInformation><transferCategory>0101100IM</transferCategory></transfer></transferList>` +
		`<idPSP>BCITITMM</idPSP><PSPCompanyName>Banca di Prova</PSPCompanyName><idChannel>BCITITMM_01</idChannel><channelDescription>app</channelDescription>` +
		`<fee>1.00</fee><paymentDateTime>2026-11-23T10:00:00</paymentDateTime><applicationDate>2026-11-23</applicationDate></receipt></pafn:paSendRTV2Request>`)
}

func TestLoadPaForNode(t *testing.T) {
	dir, bin, dbURL, dur := loadSetup(t)

	baseAddr := freeAddr(t)
	self, _ := os.Executable()
	startProcess(t, exec.Command(self), append(os.Environ(), baselineEnv+"="+baseAddr), baseAddr, "/")
	ponteAddr, pprofAddr := freeAddr(t), freeAddr(t)
	ponte := startProcess(t, exec.Command(bin, "serve", "--demo", "--listen", ponteAddr, "--log-level", "warn", "--pprof-listen", pprofAddr),
		append(os.Environ(), "PONTE_DATABASE_URL="+dbURL, "PONTE_DATA_DIR="+dir), ponteAddr, "/healthz")

	// Enough notices for every receipt of the runs at the highest rate
	// this machine could plausibly reach.
	notices := int64(8000 * (dur.Seconds() + 2) * 2)
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO dovuto (ente_id, iud, iuv, state, tipo_dovuto, tipo_versamento, amount_cents, due_date,
		causale, dati_specifici_riscossione, payer_type, payer_id, payer_name, flusso, created_at, updated_at)
		SELECT e.id, 'LOADMU-' || i, '0199' || lpad(i::text, 13, '0'), 'INSERIMENTO_DOVUTO', 'TARI', 'ALL', 15000, DATE '2030-12-31',
		'TARI 2030', '9/0101100IM/', 'F', 'RSSMRA80A01H501U', 'Mario Rossi', '_LOAD', now(), now()
		FROM ente e, generate_series(1, $1) i WHERE e.cod_ipa = 'ENTE_DEMO_MU'`, notices); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`ANALYZE`); err != nil {
		t.Fatal(err)
	}

	const workers = 64
	url := func(addr string) string { return "http://" + addr + PaForNodePath }
	okPonte, okBase := []byte("<outcome>OK</outcome>"), []byte("<esito>OK</esito>")
	var seq, receipts atomic.Int64
	read := func(n int64) int64 { return n%notices + 1 }
	verify := func(n int64) []byte {
		return muEnvelope(`<pafn:paVerifyPaymentNoticeReq>` + muIDs() + muQR(read(n)) + `</pafn:paVerifyPaymentNoticeReq>`)
	}
	get := func(n int64) []byte {
		return muEnvelope(`<pafn:paGetPaymentV2Request>` + muIDs() + muQR(read(n)) + `</pafn:paGetPaymentV2Request>`)
	}
	send := func(int64) []byte { return muReceipt(receipts.Add(1)) }

	report := &strings.Builder{}
	fmt.Fprintf(report, "\nLoopback load, paForNode on ponte serve (modello unico), PostgreSQL, %d connections, %s per run, %d cores, %d notices\n",
		workers, dur, numCPU(), notices)
	fmt.Fprintf(report, "%-40s %10s %9s %9s %9s %7s\n", "run", "req/s", "p50 ms", "p99 ms", "errors", "ok%")
	line := func(name string, r result) {
		fmt.Fprintf(report, "%-40s %10.0f %9.2f %9.2f %9d %6.1f%%\n", name, r.rps, ms(r.p50), ms(r.p99), r.errors, 100*r.okRatio)
	}
	driveWith(t, url(ponteAddr), workers, 2*time.Second, 0, &seq, verify, okPonte) // warm-up
	line("baseline (decode only), max rate", driveWith(t, "http://"+baseAddr+"/", workers, dur, 0, &seq, verify, okBase))
	line("baseline, 1000 req/s offered", driveWith(t, "http://"+baseAddr+"/", workers, dur, 1000, &seq, verify, okBase))
	var errs int64
	for _, op := range []struct {
		name string
		body func(int64) []byte
	}{{"paVerifyPaymentNotice", verify}, {"paGetPaymentV2", get}, {"paSendRTV2", send}} {
		// PONTE_LOAD_PROFILE=prefix saves the gateway's CPU profile of
		// each operation's max-rate run as prefix-<operation>.pprof.
		done := profileCPU(t, pprofAddr, os.Getenv("PONTE_LOAD_PROFILE"), op.name, dur)
		max := driveWith(t, url(ponteAddr), workers, dur, 0, &seq, op.body, okPonte)
		<-done
		line(op.name+", max rate", max)
		at := driveWith(t, url(ponteAddr), workers, dur, 1000, &seq, op.body, okPonte)
		line(op.name+", 1000 req/s offered", at)
		errs += max.errors + at.errors
	}
	var paid int64
	db.QueryRow(`SELECT count(*) FROM receipt r JOIN payment p ON p.id = r.payment_id WHERE p.dominio = $1`, loadMUDominio).Scan(&paid)
	fmt.Fprintf(report, "receipts stored: %d of %d sent; peak RSS of ponte serve: %.1f MB\n", paid, receipts.Load(), peakRSS(t, ponte))
	fmt.Fprintf(report, "targets: each operation >= 3000 req/s; p99 < 50 ms at 1000 req/s\n")
	fmt.Println(report.String())
	if errs > 0 {
		t.Errorf("the gateway answered %d requests with an error or a fault", errs)
	}
	if paid != receipts.Load() {
		t.Errorf("%d receipts stored for %d sent", paid, receipts.Load())
	}
}

// profileCPU fetches a CPU profile of the gateway for the next dur into
// prefix-name.pprof when prefix is set; the channel closes when done.
func profileCPU(t *testing.T, pprofAddr, prefix, name string, dur time.Duration) <-chan struct{} {
	done := make(chan struct{})
	if prefix == "" {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", pprofAddr, max(1, int(dur.Seconds())-1)))
		if err != nil {
			t.Logf("profile: %v", err)
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if err := os.WriteFile(prefix+"-"+name+".pprof", b, 0o644); err != nil {
			t.Logf("profile: %v", err)
		}
	}()
	return done
}
