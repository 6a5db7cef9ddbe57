package flussi

import "testing"

func TestVersion(t *testing.T) {
	want := map[string][2]int{"1_0": {20, 19}, "1_1": {20, 19}, "1_2": {21, 20}, "1_3": {22, 21}, "1_4": {35, 34}}
	for name, w := range want {
		v, ok := ParseVersion(name)
		if !ok || v.String() != name || v.Columns() != w[0] || v.AzioneIndex() != w[1] || !v.Valid() {
			t.Errorf("%s: %v %v %d %d", name, v, ok, v.Columns(), v.AzioneIndex())
		}
	}
	for _, bad := range []string{"", "1_5", "1.4", "1_", "v1_4"} {
		if v, ok := ParseVersion(bad); ok || v.Valid() {
			t.Errorf("ParseVersion(%q) accepted", bad)
		}
	}
	var zero Version
	if zero.Valid() || zero.String() != "" || zero.Columns() != 0 {
		t.Error("zero Version")
	}
	if V1_1.HasBilancio() || !V1_2.HasBilancio() || V1_2.HasGeneraIUV() || !V1_3.HasGeneraIUV() ||
		V1_3.HasSecondary() || !V1_4.HasSecondary() {
		t.Error("column sets")
	}
	if len(columnNames) != maxColumns-1 || len(specs) != maxColumns-1 {
		t.Errorf("%d names, %d specs for %d data columns", len(columnNames), len(specs), maxColumns-1)
	}
}
