package auth

import (
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestHashVerifyRoundTrip(t *testing.T) {
	h, err := Hash("  s3greta-Ente!  ")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Count(h, "$") != 5 {
		t.Fatalf("hash format: %s", h)
	}
	if ok, err := Verify(h, "s3greta-Ente!"); err != nil || !ok {
		t.Fatalf("Verify(right) = %v, %v", ok, err)
	}
	for _, wrong := range []string{"s3greta-ente!", "s3greta-Ente", "", "  s3greta-Ente!  "} {
		if ok, err := Verify(h, wrong); err != nil || ok {
			t.Errorf("Verify(%q) = %v, %v", wrong, ok, err)
		}
	}
	h2, _ := Hash("s3greta-Ente!")
	if h2 == h {
		t.Error("two hashes of the same password are equal: salt not random")
	}
	if _, err := Hash("   "); err != ErrEmptyPassword {
		t.Errorf("Hash(blank) err = %v", err)
	}
}

func TestVerifyBcrypt(t *testing.T) {
	b, err := bcrypt.GenerateFromPassword([]byte("importata"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"$2a$", "$2b$"} {
		h := prefix + string(b[4:])
		if ok, err := Verify(h, "importata"); err != nil || !ok {
			t.Errorf("%s: Verify(right) = %v, %v", prefix, ok, err)
		}
		if ok, err := Verify(h, "importatA"); err != nil || ok {
			t.Errorf("%s: Verify(wrong) = %v, %v", prefix, ok, err)
		}
	}
}

func TestVerifyMalformed(t *testing.T) {
	good, _ := Hash("x")
	parts := strings.Split(good, "$")
	for _, h := range []string{
		"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$a2V5",
		"$argon2id$v=18$" + strings.Join(parts[3:], "$"),
		"$argon2id$v=19$m=19456,t=2$" + strings.Join(parts[4:], "$"),
		"$argon2id$v=19$m=19456,t=2,p=1x$" + strings.Join(parts[4:], "$"),
		"$argon2id$v=19$m=4194304,t=2,p=1$" + strings.Join(parts[4:], "$"), // 4 GiB
		"$argon2id$v=19$m=19456,t=1000,p=1$" + strings.Join(parts[4:], "$"),
		"$argon2id$v=19$m=19456,t=2,p=0$" + strings.Join(parts[4:], "$"),
		"$argon2id$v=19$m=19456,t=2,p=1$!!$" + parts[5],
		"$argon2id$v=19$m=19456,t=2,p=1$" + parts[4] + "$c2hvcnQ",
		"$2a$04$short",
	} {
		if ok, err := Verify(h, "x"); err == nil || ok {
			t.Errorf("Verify(%q) = %v, %v; want error", h, ok, err)
		}
	}
}

func TestCartHash(t *testing.T) {
	// printf 'paaSILInviaCarrelloDovuti-SECRET-12345678903' | sha256sum
	const want = "87de79a9d0e415856b900fdf3a534acd154e49367bb46c738573c051799ad4db"
	if got := CartHash("SECRET", "12345678903"); got != want {
		t.Fatalf("CartHash = %s", got)
	}
	if !CartHashMatches(want, "SECRET", "12345678903") || !CartHashMatches(strings.ToUpper(want), "SECRET", "12345678903") {
		t.Error("CartHashMatches rejects the right hash")
	}
	for _, c := range [][3]string{
		{want, "SECRET", "12345678904"},
		{want, "secret", "12345678903"},
		{want[:63], "SECRET", "12345678903"},
		{want + "0", "SECRET", "12345678903"},
		{"", "SECRET", "12345678903"},
		{" " + want, "SECRET", "12345678903"},
	} {
		if CartHashMatches(c[0], c[1], c[2]) {
			t.Errorf("CartHashMatches(%q,%q,%q) = true", c[0], c[1], c[2])
		}
	}
}

func BenchmarkHashVerify(b *testing.B) {
	h, err := Hash("password-di-prova")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if ok, _ := Verify(h, "password-di-prova"); !ok {
			b.Fatal("mismatch")
		}
	}
}
