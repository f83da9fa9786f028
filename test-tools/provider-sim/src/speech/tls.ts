/**
 * A self-signed certificate for 127.0.0.1 and localhost, for loopback servers only: the Cartesia
 * SDK always opens its WebSocket over wss://, so its simulator needs TLS. Never use it elsewhere.
 * Made with: openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650
 *   -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost"
 */
export const LOOPBACK_TLS_KEY: string = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgxQVgUmTLn+XeVgCq
Ha1fCjMwiKWBL5PpGgT75A4bp32hRANCAAQpPZH57TCX/JWCNngTpruz2uiLiVMp
eJ6Ynm2BqenDoBvcOTkJ2f+2WJy7ATMLM7utXB5qFJzSLxX/nvxm/MN0
-----END PRIVATE KEY-----
`;

/** The certificate to trust (e.g. `ws` option `ca`) when connecting to a simulator over TLS. */
export const LOOPBACK_TLS_CERT: string = `-----BEGIN CERTIFICATE-----
MIIBmDCCAT+gAwIBAgIUT2oUqLQl5ERJ49bkgXAL8/g2lzEwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMB4XDTI2MTEyMzIwNDAxMFoXDTM2MTEyMDIw
NDAxMFowFDESMBAGA1UEAwwJMTI3LjAuMC4xMFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAEKT2R+e0wl/yVgjZ4E6a7s9roi4lTKXiemJ5tganpw6Ab3Dk5Cdn/tlic
uwEzCzO7rVweahSc0i8V/578ZvzDdKNvMG0wHQYDVR0OBBYEFB6cZhYpfCD4uwiQ
K4+neLdApyF9MB8GA1UdIwQYMBaAFB6cZhYpfCD4uwiQK4+neLdApyF9MA8GA1Ud
EwEB/wQFMAMBAf8wGgYDVR0RBBMwEYcEfwAAAYIJbG9jYWxob3N0MAoGCCqGSM49
BAMCA0cAMEQCIChQWA23h/FkPsIJ1BQ/lN/lMN4wivGC51KNSQcXsBr0AiAjgJ08
NtSa0LCk4Xb4kxMCxuAx2eGEoFm4VhZ+6X+hCQ==
-----END CERTIFICATE-----
`;
