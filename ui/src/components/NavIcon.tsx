// The navigation's icons as inline SVG (16 px, drawn with the text colour), so they never
// depend on a glyph being in the system's fonts (the designer's "⧉" drew as an empty box).
import type { ReactNode } from "react";

export type NavIconName = "query" | "services" | "schema" | "designer" | "history" | "topology" | "environments";

const PATHS: Record<NavIconName, ReactNode> = {
  // A play triangle: run a query.
  query: <path d="M4.5 2.5v11l9-5.5z" fill="currentColor" />,
  // A database cylinder: the services.
  services: (
    <>
      <ellipse cx="8" cy="4" rx="5" ry="2" />
      <path d="M3 4v8c0 1.1 2.2 2 5 2s5-.9 5-2V4M3 8c0 1.1 2.2 2 5 2s5-.9 5-2" />
    </>
  ),
  // Braces: the schema's text.
  schema: <path d="M6 2.5c-1.5 0-2 .6-2 2v1.8c0 .9-.5 1.4-1.5 1.7 1 .3 1.5.8 1.5 1.7v1.8c0 1.4.5 2 2 2M10 2.5c1.5 0 2 .6 2 2v1.8c0 .9.5 1.4 1.5 1.7-1 .3-1.5.8-1.5 1.7v1.8c0 1.4-.5 2-2 2" />,
  // Two linked boxes: types on a canvas.
  designer: (
    <>
      <rect x="1.5" y="2.5" width="6" height="5" rx="1" />
      <rect x="8.5" y="8.5" width="6" height="5" rx="1" />
      <path d="M7.5 5h2.5v3.5" />
    </>
  ),
  // A circular arrow: past runs.
  history: (
    <>
      <path d="M3.2 6.2A5 5 0 1 1 3 9.5" />
      <path d="M2.5 3v3.5H6" />
      <path d="M8 5.5V8l2 1.5" />
    </>
  ),
  // Three connected nodes: the topology.
  topology: (
    <>
      <circle cx="3.5" cy="8" r="1.8" />
      <circle cx="12.5" cy="3.5" r="1.8" />
      <circle cx="12.5" cy="12.5" r="1.8" />
      <path d="M5.2 7.2l5.6-2.9M5.2 8.8l5.6 2.9" />
    </>
  ),
  // Sliders: environment variables.
  environments: (
    <>
      <path d="M2 4.5h12M2 11.5h12" />
      <circle cx="5.5" cy="4.5" r="1.6" fill="currentColor" />
      <circle cx="10.5" cy="11.5" r="1.6" fill="currentColor" />
    </>
  ),
};

export function NavIcon({ name }: { name: NavIconName }) {
  return (
    <svg className="icon" viewBox="0 0 16 16" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      {PATHS[name]}
    </svg>
  );
}
