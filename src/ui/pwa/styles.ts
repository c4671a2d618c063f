import type { CSSProperties } from 'react';

/** Banners sit at the bottom edge, above the content, with large touch targets (gloves). */
export const bannerStyle: CSSProperties = {
  position: 'fixed',
  left: 0,
  right: 0,
  bottom: 0,
  zIndex: 1000,
  padding: '0.75rem 1rem calc(0.75rem + env(safe-area-inset-bottom))',
  background: '#0b3d91',
  color: '#ffffff',
  fontFamily: 'system-ui, sans-serif',
  boxShadow: '0 -2px 8px rgba(0, 0, 0, 0.3)',
};

export const noteStyle: CSSProperties = {
  margin: 0,
  padding: '0.5rem 1rem',
  background: '#fff4d6',
  color: '#3d2c00',
  borderBottom: '1px solid #e0c060',
  fontFamily: 'system-ui, sans-serif',
  fontSize: '0.95rem',
};

export const buttonStyle: CSSProperties = {
  minHeight: 48,
  padding: '0 1.25rem',
  fontSize: '1rem',
  fontWeight: 600,
  border: 0,
  borderRadius: 8,
  background: '#ffb000',
  color: '#1a1a1a',
};

export const secondaryButtonStyle: CSSProperties = {
  ...buttonStyle,
  background: 'transparent',
  color: '#ffffff',
  border: '2px solid #ffffff',
};

export const linkButtonStyle: CSSProperties = {
  minHeight: 44,
  padding: '0 0.5rem',
  fontSize: '0.95rem',
  background: 'transparent',
  border: 0,
  color: 'inherit',
  textDecoration: 'underline',
};
