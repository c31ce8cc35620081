// Number formatting for prices, token counts, durations and money.

const intFmt = new Intl.NumberFormat("en-US");

/** 1234 → "1,234"; null/undefined → "—". */
export function fmtInt(n) {
  return Number.isFinite(n) ? intFmt.format(n) : "—";
}

/** Context sizes: 200000 → "200K", 1048576 → "1M". 0 (unknown) → "". */
export function fmtTokensShort(n) {
  if (!Number.isFinite(n) || n <= 0) return "";
  if (n >= 1_000_000) return `${trim(n / 1_000_000)}M`;
  if (n >= 1_000) return `${trim(n / 1_000)}K`;
  return String(n);
}

function trim(x) {
  return x >= 100 ? Math.round(x).toString() : x.toFixed(1).replace(/\.0$/, "");
}

/** Milliseconds → "820 ms" / "3.4 s". */
export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/**
 * A USD decimal string (exact, from zenwire) for display: "$0" for zero,
 * cents for large amounts, enough significant digits for tiny ones.
 */
export function fmtUsd(decimal) {
  if (decimal == null || decimal === "") return "—";
  const n = Number(decimal);
  if (!Number.isFinite(n)) return String(decimal);
  if (n === 0) return "$0";
  if (n >= 1) return `$${n.toFixed(2)}`;
  if (n >= 0.01) return `$${n.toFixed(4).replace(/0+$/, "").replace(/\.$/, "")}`;
  return `$${n.toPrecision(2).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "")}`;
}

/** A per-1M price string for the model list: "1.07" → "$1.07", "0" → "free". */
export function fmtPrice(decimal) {
  const n = Number(decimal);
  if (!Number.isFinite(n)) return "?";
  if (n === 0) return "$0";
  return `$${n < 1 ? n.toFixed(2) : n % 1 === 0 ? n.toFixed(0) : n.toFixed(2)}`;
}

/** "3 minutes ago"-style label for the conversation list. */
export function fmtRelative(ts, now = Date.now()) {
  const s = Math.round((now - ts) / 1000);
  if (!Number.isFinite(s)) return "";
  const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  if (s < 60) return "just now";
  if (s < 3600) return rtf.format(-Math.round(s / 60), "minute");
  if (s < 86_400) return rtf.format(-Math.round(s / 3600), "hour");
  if (s < 30 * 86_400) return rtf.format(-Math.round(s / 86_400), "day");
  return new Date(ts).toLocaleDateString();
}
