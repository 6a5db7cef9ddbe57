package rules

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/normalize"
)

// The patterns the loops replace, as oracles.
var (
	datiSpecificiRE  = regexp.MustCompile(`^[0129]{1}/\S{3,138}$`)
	datiSecondarioRE = regexp.MustCompile(`^9/\d{2}\d{2}\d{3}\w{2}/\S{0,129}$`)
)

func TestIUD(t *testing.T) {
	for s, want := range map[string]bool{"A1": true, "": false, "  ": false, "000123": false, "0012": true} {
		if got := IUD(s); got != want {
			t.Errorf("IUD(%q) = %v", s, got)
		}
	}
}

func TestTipoVersamento(t *testing.T) {
	for s, want := range map[string]bool{
		"": true, " ": true, "ALL": true, "BBT": true, "BBT|CP|OBEP": true,
		"ALL|BBT": false, "bbt": false, "BBT|": false, "XX": false,
	} {
		if got := TipoVersamento(s); got != want {
			t.Errorf("TipoVersamento(%q) = %v", s, got)
		}
	}
}

func TestDatiSpecifici(t *testing.T) {
	cases := map[string]bool{
		"9/0101100IM/": true, "0/abc": true, "1/ab": false, "3/abc": false, "9abc": false,
		"9/ab c": false, "9/abc\t": false, "2/" + strings.Repeat("x", 138): true,
		"2/" + strings.Repeat("x", 139): false, "9/àèì": true, "9/\xff\xfe\xfd": true, "": false,
	}
	for s, want := range cases {
		if got := DatiSpecifici(s); got != want {
			t.Errorf("DatiSpecifici(%q) = %v, want %v", s, got, want)
		}
		if re := datiSpecificiRE.MatchString(s); re != want {
			t.Errorf("oracle disagrees with the table on %q", s)
		}
	}
	randomAgainst(t, "0129/ab\t \xff9é", 12, DatiSpecifici, datiSpecificiRE)
}

func TestDatiSpecificiSecondario(t *testing.T) {
	cases := map[string]bool{
		"9/0101100IM/": true, "9/0101100IM/abc": true, "9/0101100I_/x": true, "1/0101100IM/": false,
		"9/010110XIM/": false, "9/0101100IM": false, "9/0101100IM/a b": false, "9/0101100I-/": false,
	}
	for s, want := range cases {
		if got := DatiSpecificiSecondario(s); got != want {
			t.Errorf("DatiSpecificiSecondario(%q) = %v, want %v", s, got, want)
		}
	}
	randomAgainst(t, "9/01IM_ x-", 20, DatiSpecificiSecondario, datiSecondarioRE)
}

// randomAgainst compares fn with re on random strings over alphabet.
func randomAgainst(t *testing.T, alphabet string, maxLen int, fn func(string) bool, re *regexp.Regexp) {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]byte, r.IntN(maxLen))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		s := string(b)
		if fn(s) != re.MatchString(s) {
			t.Fatalf("%q: loop %v, regexp %v", s, fn(s), re.MatchString(s))
		}
	}
}

func TestEmailMatchesNormalize(t *testing.T) {
	for _, s := range []string{
		"a@b.it", "a.b+c@x-y.com", "@b.it", "a@", "a@@b", "a b@c.it", "à@b.it", "a@b_c.it",
		"{|}~^`@x", strings.Repeat("a", 250) + "@b.it", strings.Repeat("a", 260) + "@b.it",
	} {
		if Email(s) != normalize.Email(s) {
			t.Errorf("Email(%q) = %v, normalize.Email %v", s, Email(s), normalize.Email(s))
		}
	}
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{"a@b.it", "x@", "a@b@c", "é@x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if Email(s) != normalize.Email(s) {
			t.Fatalf("Email(%q) = %v, normalize.Email %v", s, Email(s), normalize.Email(s))
		}
	})
}

func FuzzAddress(f *testing.F) {
	for _, s := range []string{"Via Roma 1", " Via  Verdi, 3/A ", "Piazza Città", "a\tb", "x@y#"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if Address(s) != normalize.Address(s) || Civico(s) != normalize.Civico(s) {
			t.Fatalf("%q: shortcut disagrees with normalize", s)
		}
	})
}

func TestAmounts(t *testing.T) {
	if Amount(0) || !Amount(1) || !Amount(gateway.MaxAmount) || Amount(gateway.MaxAmount+1) {
		t.Error("Amount bounds")
	}
	if !Commission(0) || !Commission(gateway.MaxAmount) || Commission(gateway.MaxAmount+1) {
		t.Error("Commission bounds")
	}
	if !MaxLen("àèìòù", 5) || MaxLen("àèìòùx", 5) || !MaxLen("", 0) {
		t.Error("MaxLen counts characters")
	}
}

func TestNormalizePayer(t *testing.T) {
	in := gateway.Payer{
		Type: "F", ID: "RSSMRA80A01H501U", Name: "Mario Rossi", Address: "Via Città #1", Civic: "3/a!",
		CAP: "35100", Locality: "Padova", Province: "pd", Nation: "it", Email: "m@r.it",
	}
	got := NormalizePayer(in)
	want := gateway.Payer{
		Type: "F", ID: "RSSMRA80A01H501U", Name: "Mario Rossi", Address: "Via Citta  1", Civic: "3/a",
		CAP: "35100", Locality: "Padova", Province: "PD", Nation: "IT", Email: "m@r.it",
	}
	if got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	got = NormalizePayer(gateway.Payer{Province: "PD", Nation: "FR", CAP: "75 001"})
	if got.Province != "" || got.Nation != "FR" || got.CAP != "" {
		t.Errorf("foreign payer: %+v", got)
	}
}

func TestBilancio(t *testing.T) {
	b, err := Bilancio(` <bilancio>
	  <capitolo><codCapitolo>C1</codCapitolo><codUfficio>U1</codUfficio>
	    <accertamento><codAccertamento>A&amp;1</codAccertamento><importo>10.50</importo></accertamento>
	    <accertamento><importo>0.50</importo></accertamento>
	  </capitolo>
	  <capitolo><codCapitolo>C2</codCapitolo><accertamento><importo>89.00</importo></accertamento></capitolo>
	</bilancio>`)
	if err != nil {
		t.Fatal(err)
	}
	if b.Total() != 10000 || len(b.Capitoli) != 2 || b.Capitoli[0].Office != "U1" ||
		b.Capitoli[0].Accertamenti[0].Code != "A&1" || b.Capitoli[1].Office != "" {
		t.Fatalf("parsed %+v", b)
	}
	const canon = "<bilancio><capitolo><codCapitolo>C1</codCapitolo><codUfficio>U1</codUfficio>" +
		"<accertamento><codAccertamento>A&amp;1</codAccertamento><importo>10.50</importo></accertamento>" +
		"<accertamento><importo>0.50</importo></accertamento></capitolo>" +
		"<capitolo><codCapitolo>C2</codCapitolo><accertamento><importo>89.00</importo></accertamento></capitolo></bilancio>"
	if got := FormatBilancio(b); got != canon {
		t.Errorf("FormatBilancio:\n%s\nwant\n%s", got, canon)
	}
	if FormatBilancio(nil) != "" {
		t.Error("nil bilancio")
	}
	// A namespace, as MyPay would add it, is accepted.
	if _, err := Bilancio(`<bilancio xmlns="urn:x"><capitolo><codCapitolo>C</codCapitolo><accertamento><importo>1.00</importo></accertamento></capitolo></bilancio>`); err != nil {
		t.Errorf("namespaced: %v", err)
	}

	acc := func(inner string) string {
		return "<bilancio><capitolo><codCapitolo>C</codCapitolo>" + inner + "</capitolo></bilancio>"
	}
	bad := map[string]string{
		"empty":            "",
		"not xml":          "bilancio",
		"wrong root":       "<capitoli/>",
		"no capitolo":      "<bilancio></bilancio>",
		"no accertamento":  acc(""),
		"no importo":       acc("<accertamento><codAccertamento>A</codAccertamento></accertamento>"),
		"importo 1 dec":    acc("<accertamento><importo>1.0</importo></accertamento>"),
		"importo int":      acc("<accertamento><importo>1</importo></accertamento>"),
		"importo zero":     acc("<accertamento><importo>0.00</importo></accertamento>"),
		"importo too big":  acc("<accertamento><importo>1000000000.00</importo></accertamento>"),
		"two importi":      acc("<accertamento><importo>1.00</importo><importo>1.00</importo></accertamento>"),
		"unknown element":  acc("<accertamento><importo>1.00</importo><nota>x</nota></accertamento>"),
		"unknown capitolo": acc("<accertamento><importo>1.00</importo></accertamento><x/>"),
		"unknown root":     "<bilancio><x/><capitolo><codCapitolo>C</codCapitolo><accertamento><importo>1.00</importo></accertamento></capitolo></bilancio>",
		"no codCapitolo":   "<bilancio><capitolo><accertamento><importo>1.00</importo></accertamento></capitolo></bilancio>",
		"blank code":       "<bilancio><capitolo><codCapitolo> </codCapitolo><accertamento><importo>1.00</importo></accertamento></capitolo></bilancio>",
		"long code":        "<bilancio><capitolo><codCapitolo>" + strings.Repeat("c", 65) + "</codCapitolo><accertamento><importo>1.00</importo></accertamento></capitolo></bilancio>",
		"trailing element": acc("<accertamento><importo>1.00</importo></accertamento>") + "<bilancio/>",
		"trailing text":    acc("<accertamento><importo>1.00</importo></accertamento>") + "x",
		"unclosed":         "<bilancio><capitolo>",
	}
	for name, s := range bad {
		if b, err := Bilancio(s); err == nil {
			t.Errorf("%s: accepted %q as %+v", name, s, b)
		}
	}
}

func FuzzBilancio(f *testing.F) {
	f.Add("<bilancio><capitolo><codCapitolo>C</codCapitolo><accertamento><importo>1.00</importo></accertamento></capitolo></bilancio>")
	f.Add("<bilancio><capitolo>")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := Bilancio(s)
		if err != nil {
			return
		}
		// Whatever parses survives its own rendering.
		again, err := Bilancio(FormatBilancio(b))
		if err != nil || FormatBilancio(again) != FormatBilancio(b) || again.Total() != b.Total() {
			t.Fatalf("round trip of %q: %v", s, err)
		}
	})
}
