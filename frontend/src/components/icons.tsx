// Inline SVG icons: glyphs like ⏸ are missing from many system fonts.
const base = {
  width: 14,
  height: 14,
  viewBox: "0 0 16 16",
  "aria-hidden": true,
  fill: "currentColor",
} as const;

export const PlayIcon = () => (
  <svg {...base}>
    <path d="M4 2.5v11l9-5.5z" />
  </svg>
);
export const PauseIcon = () => (
  <svg {...base}>
    <rect x="3.5" y="2.5" width="3" height="11" rx="0.5" />
    <rect x="9.5" y="2.5" width="3" height="11" rx="0.5" />
  </svg>
);
export const StopIcon = () => (
  <svg {...base}>
    <rect x="3" y="3" width="10" height="10" rx="1" />
  </svg>
);
export const GearIcon = () => (
  <svg {...base} fill="none" stroke="currentColor" strokeWidth="1.6">
    <circle cx="8" cy="8" r="2.2" />
    <path d="M8 1.5v2M8 12.5v2M1.5 8h2M12.5 8h2M3.4 3.4l1.4 1.4M11.2 11.2l1.4 1.4M3.4 12.6l1.4-1.4M11.2 4.8l1.4-1.4" />
  </svg>
);
export const ClockIcon = () => (
  <svg {...base} fill="none" stroke="currentColor" strokeWidth="1.6">
    <circle cx="8" cy="8" r="6" />
    <path d="M8 4.5V8l2.5 1.5" />
  </svg>
);
