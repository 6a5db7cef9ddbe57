package xsdvalid

// Lexical checks for the date/time primitives. They check the XSD 1.0
// lexical space and value constraints (month length, leap years, year 0000
// forbidden, timezone within ±14:00); values are not needed beyond that.

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

func atoi2(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }

// parseYear consumes -?YYYY+ and returns the rest, the year's last digits
// (for leap-year computation) and ok.
func parseYear(s string) (rest string, year int, ok bool) {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	digits := s[i:j]
	if len(digits) < 4 || len(digits) > 4 && digits[0] == '0' {
		return "", 0, false
	}
	zero := true
	for k := 0; k < len(digits); k++ {
		if digits[k] != '0' {
			zero = false
		}
	}
	if zero {
		return "", 0, false
	}
	// Leap years repeat every 400 years, so the last 4 digits suffice.
	y := 0
	for _, c := range digits[len(digits)-4:] {
		y = y*10 + int(c-'0')
	}
	if s[:i] == "-" {
		y = -y
	}
	return s[j:], y, true
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// parseMonthDay consumes "-MM-DD".
func parseMonthDay(s string, year int) (string, bool) {
	if len(s) < 6 || s[0] != '-' || s[3] != '-' || !isDigits(s[1:3]) || !isDigits(s[4:6]) {
		return "", false
	}
	m, d := atoi2(s[1:3]), atoi2(s[4:6])
	if m < 1 || m > 12 || d < 1 || d > daysIn(year, m) {
		return "", false
	}
	return s[6:], true
}

// parseTime consumes "hh:mm:ss(.s+)?".
func parseTime(s string) (string, bool) {
	if len(s) < 8 || s[2] != ':' || s[5] != ':' || !isDigits(s[0:2]) || !isDigits(s[3:5]) || !isDigits(s[6:8]) {
		return "", false
	}
	h, m, sec := atoi2(s[0:2]), atoi2(s[3:5]), atoi2(s[6:8])
	rest := s[8:]
	fracZero := true
	if len(rest) > 0 && rest[0] == '.' {
		j := 1
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			if rest[j] != '0' {
				fracZero = false
			}
			j++
		}
		if j == 1 {
			return "", false
		}
		rest = rest[j:]
	}
	if m > 59 || sec > 59 {
		return "", false
	}
	if h > 23 && !(h == 24 && m == 0 && sec == 0 && fracZero) {
		return "", false
	}
	return rest, true
}

// validTZ checks an optional timezone: "", "Z" or ±hh:mm within ±14:00.
func validTZ(s string) bool {
	switch {
	case s == "" || s == "Z":
		return true
	case len(s) == 6 && (s[0] == '+' || s[0] == '-') && s[3] == ':' && isDigits(s[1:3]) && isDigits(s[4:6]):
		h, m := atoi2(s[1:3]), atoi2(s[4:6])
		return m < 60 && (h < 14 || h == 14 && m == 0)
	}
	return false
}

func validDate(s string) bool {
	rest, y, ok := parseYear(s)
	if !ok {
		return false
	}
	rest, ok = parseMonthDay(rest, y)
	return ok && validTZ(rest)
}

func validDateTime(s string) bool {
	rest, y, ok := parseYear(s)
	if !ok {
		return false
	}
	rest, ok = parseMonthDay(rest, y)
	if !ok || len(rest) == 0 || rest[0] != 'T' {
		return false
	}
	rest, ok = parseTime(rest[1:])
	return ok && validTZ(rest)
}

func validTime(s string) bool {
	rest, ok := parseTime(s)
	return ok && validTZ(rest)
}

func validGYear(s string) bool {
	rest, _, ok := parseYear(s)
	return ok && validTZ(rest)
}

func validGYearMonth(s string) bool {
	rest, _, ok := parseYear(s)
	if !ok || len(rest) < 3 || rest[0] != '-' || !isDigits(rest[1:3]) {
		return false
	}
	m := atoi2(rest[1:3])
	return m >= 1 && m <= 12 && validTZ(rest[3:])
}
