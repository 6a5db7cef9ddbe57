package rpt

import "testing"

func BenchmarkParseRPT(b *testing.B) {
	doc := mustBuild(b, testRequest())
	for b.Loop() {
		if _, err := ParseRPT(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuildRT(b *testing.B) {
	rpt := mustParseRPT(b, mustBuild(b, testRequest()))
	o := Outcome{Esito: EsitoEseguito, PSP: testPSP, At: testNow.Now()}
	for b.Loop() {
		if _, err := BuildRT(rpt, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeTrustedRPT(b *testing.B) {
	doc := mustBuild(b, testRequest())
	for b.Loop() {
		if _, err := DecodeTrustedRPT(doc); err != nil {
			b.Fatal(err)
		}
	}
}
