package flussi

import (
	"strings"
	"testing"
)

func TestIUVLine(t *testing.T) {
	const bil = "<bilancio><capitolo><codCapitolo>C</codCapitolo><codUfficio>U</codUfficio>" +
		"<accertamento><codAccertamento>A</codAccertamento><importo>100.50</importo></accertamento></capitolo></bilancio>"
	payer := "IUD-1;%s;F;RSSMRA80A01H501U;Mario Rossi;Via Citta 1;12/B;35100;Padova;PD;IT;m.rossi@example.it;"
	cases := []struct {
		v    Version
		edit func([]string)
		iuv  string // set by the engine after the checks
		want string
	}{
		{V1_0, nil, "",
			payer + "2026-12-31;100.50;1.50;TARI;ALL;Tassa rifiuti;9/0101100IM/;I"},
		{V1_1, func(f []string) { f[colCommissione] = "0"; f[colTipoVersamento] = "BBT|PO" }, "01120000000000199",
			payer + "2026-12-31;100.50;;TARI;BBT|PO;Tassa rifiuti;9/0101100IM/;I"},
		{V1_2, func(f []string) {
			f[colBilancio] = " " + strings.ReplaceAll(bil, "><", ">\n <") + " "
			f[colScadenza] = ""
		}, "",
			payer + ";100.50;1.50;TARI;ALL;Tassa rifiuti;9/0101100IM/;" + bil + ";I"},
		{V1_3, func(f []string) { f[colGeneraIUV] = "true"; f[V1_3.AzioneIndex()] = "M" }, "01000000000000144",
			payer + "2026-12-31;100.50;1.50;TARI;ALL;Tassa rifiuti;9/0101100IM/;;true;M"},
		{V1_4, nil, "",
			payer + "2026-12-31;100.50;1.50;TARI;ALL;Tassa rifiuti;9/0101100IM/;;false;false;;;;;;;;;;;;;I"},
		{V1_4, withSecondary, "",
			payer + "2026-12-31;100.50;1.50;TARI;ALL;Tassa rifiuti;9/0101100IM/;;false;true;" +
				"02116060399;Comune B;IT60X0542811101000000123456;Piazza Citta 1;;00100;;RM;IT;9/0101100IM/;Quota B;20.00;I"},
	}
	for _, c := range cases {
		f := validFields(c.v)
		f[colIndirizzo] = "Via Città 1" // shows the normalised payer is written
		if c.edit != nil {
			c.edit(f)
		}
		row := checkRow(t, c.v, f)
		if row.Rejected() {
			t.Fatalf("%s: rejected %s %s", c.v, row.Codes, row.Descriptions)
		}
		row.Dovuto.IUV = c.iuv
		want := strings.Replace(c.want, "%s", c.iuv, 1)
		got := IUVLine(c.v, row)
		if got != want {
			t.Errorf("%s:\n got %s\nwant %s", c.v, got, want)
		}
		if n := strings.Count(got, ";") + 1; n != c.v.Columns() {
			t.Errorf("%s: %d columns", c.v, n)
		}
	}
}
