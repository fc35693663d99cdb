import React from 'react';
import { render } from '@testing-library/react';

import { CATEGORIES, CATEGORY_COLOR } from 'services/enums';

import { CategoryBadge } from './badges';

describe('CategoryBadge', () => {
  it('gives every category a colour of its own', () => {
    expect(Object.keys(CATEGORY_COLOR).sort()).toEqual([...CATEGORIES].sort());
    expect(new Set(Object.values(CATEGORY_COLOR)).size).toBe(CATEGORIES.length);
  });

  it('draws each category in its colour, and an unknown one neutral', () => {
    const { container } = render(
      <>
        <CategoryBadge category="AUTH" />
        <CategoryBadge category="SECURITY" />
        <CategoryBadge category="NOT_A_CATEGORY" />
      </>
    );
    const [auth, security, other] = Array.from(container.querySelectorAll<HTMLElement>('[data-category]'));
    expect(auth.textContent).toBe('AUTH');
    expect(auth.style.color).not.toBe('');
    expect(auth.style.color).not.toBe(security.style.color);
    expect(other.style.color).not.toBe(auth.style.color);
  });
});
