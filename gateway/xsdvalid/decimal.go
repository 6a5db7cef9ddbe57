package xsdvalid

// decimal is an exact xsd:decimal value held as normalised digit strings:
// ip has no leading zeros, fp no trailing zeros, and zero is never
// negative. Comparing such values needs no arithmetic, so amounts are never
// approximated through float64.
type decimal struct {
	neg    bool
	ip, fp string
}

// parseDecimal parses the xsd:decimal lexical space: [+-]?(d+(.d*)?|.d+)
// with ASCII digits. intOnly restricts it to xsd:integer ([+-]?d+).
func parseDecimal(s string, intOnly bool) (decimal, bool) {
	var d decimal
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		d.neg = s[i] == '-'
		i++
	}
	ipStart := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	ip := s[ipStart:i]
	var fp string
	if i < len(s) && s[i] == '.' {
		if intOnly {
			return d, false
		}
		i++
		fpStart := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		fp = s[fpStart:i]
	}
	if i != len(s) || ip == "" && fp == "" {
		return d, false
	}
	for len(ip) > 0 && ip[0] == '0' {
		ip = ip[1:]
	}
	for len(fp) > 0 && fp[len(fp)-1] == '0' {
		fp = fp[:len(fp)-1]
	}
	d.ip, d.fp = ip, fp
	if ip == "" && fp == "" {
		d.neg = false
	}
	return d, true
}

// cmp returns -1, 0 or 1 as d is less than, equal to or greater than e.
func (d decimal) cmp(e decimal) int {
	if d.neg != e.neg {
		if d.neg {
			return -1
		}
		return 1
	}
	c := d.cmpAbs(e)
	if d.neg {
		return -c
	}
	return c
}

func (d decimal) cmpAbs(e decimal) int {
	if len(d.ip) != len(e.ip) {
		if len(d.ip) < len(e.ip) {
			return -1
		}
		return 1
	}
	if d.ip != e.ip {
		if d.ip < e.ip {
			return -1
		}
		return 1
	}
	// Without trailing zeros, plain string order is numeric order.
	switch {
	case d.fp < e.fp:
		return -1
	case d.fp > e.fp:
		return 1
	}
	return 0
}

// totalDigits counts significant digits as the XSD totalDigits facet does.
func (d decimal) totalDigits() int {
	n := len(d.ip) + len(d.fp)
	if n == 0 {
		return 1
	}
	return n
}

func (d decimal) String() string {
	s := d.ip
	if s == "" {
		s = "0"
	}
	if d.fp != "" {
		s += "." + d.fp
	}
	if d.neg {
		s = "-" + s
	}
	return s
}
