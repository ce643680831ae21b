// Renders Flex Message containers (bubbles and carousels) as DOM, following the sizes and
// defaults of LINE's Flex Message spec closely enough to judge a design. Any component with
// an `action` becomes tappable through `onTap(action)`.

const TEXT_SIZES = { xxs: 11, xs: 13, sm: 14, md: 16, lg: 19, xl: 22, xxl: 29, '3xl': 35, '4xl': 48, '5xl': 74 };
const SPACING = { none: 0, xs: 2, sm: 4, md: 8, lg: 12, xl: 16, xxl: 20 };
const CORNER_RADIUS = { none: 0, xs: 2, sm: 4, md: 8, lg: 12, xl: 16, xxl: 20 };
const BORDER_WIDTH = { none: 0, light: 0.5, normal: 1, medium: 2, 'semi-bold': 3, bold: 4 };
const IMAGE_SIZES = { xxs: 40, xs: 60, sm: 80, md: 100, lg: 120, xl: 140, xxl: 160, '3xl': 180, '4xl': 200, '5xl': 240 };
const BUBBLE_WIDTHS = { nano: 120, micro: 160, deca: 220, hecto: 241, kilo: 260, mega: 300, giga: 500 };
/** Padding of a bubble's blocks unless their box sets its own. */
const BLOCK_PADDING = { header: 20, hero: 0, body: 20, footer: 10 };
const BUTTON_HEIGHTS = { sm: 40, md: 52 };
const BUTTON_COLORS = { primary: '#17C950', secondary: '#DCDFE5', link: '#42659A' };
const DEFAULT_TEXT_COLOR = '#111111';
const DEFAULT_SEPARATOR_COLOR = '#E5E5E5';

/** A keyword from `table`, or a length such as "12px" / "50%" as LINE allows. */
function length(value, table) {
  if (value === undefined || value === null) return undefined;
  if (table && value in table) return `${table[value]}px`;
  return String(value);
}

function el(tag, className) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return node;
}

/**
 * @param {object} container a Flex bubble or carousel
 * @param {{ onTap: (action: object) => void }} ctx
 */
export function renderFlex(container, ctx) {
  if (container?.type === 'carousel') {
    const carousel = el('div', 'flex-carousel');
    for (const bubble of container.contents ?? []) carousel.append(renderBubble(bubble, ctx));
    return carousel;
  }
  return renderBubble(container ?? {}, ctx);
}

function renderBubble(bubble, ctx) {
  const node = el('div', 'flex-bubble');
  node.style.width = `${BUBBLE_WIDTHS[bubble.size ?? 'mega'] ?? 300}px`;
  if (bubble.direction === 'rtl') node.dir = 'rtl';
  const styles = bubble.styles ?? {};
  let first = true;
  for (const block of ['header', 'hero', 'body', 'footer']) {
    const content = bubble[block];
    if (!content) continue;
    const style = styles[block] ?? {};
    const section = el('div', `flex-block flex-block--${block}`);
    if (style.backgroundColor) section.style.backgroundColor = style.backgroundColor;
    if (style.separator && !first) section.style.borderTop = `1px solid ${style.separatorColor ?? DEFAULT_SEPARATOR_COLOR}`;
    const root = renderComponent(content, ctx, 'vertical');
    if (content.type === 'box' && !hasPadding(content)) root.style.padding = `${BLOCK_PADDING[block]}px`;
    section.append(root);
    node.append(section);
    first = false;
  }
  tappable(node, bubble.action, ctx);
  return node;
}

function hasPadding(box) {
  return ['paddingAll', 'paddingTop', 'paddingBottom', 'paddingStart', 'paddingEnd'].some((key) => box[key] !== undefined);
}

/** Renders one component; `parentLayout` decides how `flex`, `margin` and `gravity` apply. */
function renderComponent(component, ctx, parentLayout) {
  const render = { box: renderBox, text: renderText, button: renderButton, image: renderImage, icon: renderIcon, video: renderVideo, separator: renderSeparator, filler: renderFiller, spacer: renderSpacer }[component.type];
  const node = render ? render(component, ctx, parentLayout) : unknownComponent(component);
  placeInParent(node, component, parentLayout);
  return node;
}

/** `flex`, `position`/offsets and `gravity` relative to the parent box. */
function placeInParent(node, component, parentLayout) {
  const horizontal = parentLayout !== 'vertical';
  const defaultFlex = component.type === 'filler' || horizontal ? 1 : 0;
  const flex = component.flex ?? defaultFlex;
  if (component.type === 'separator' || component.type === 'spacer') node.style.flex = '0 0 auto';
  else if (horizontal) node.style.flex = flex > 0 ? `${flex} 0 0` : '0 0 auto';
  else node.style.flex = flex > 0 ? `${flex} 0 auto` : '0 0 auto';
  if (horizontal) node.style.minWidth = '0';

  if (component.position === 'absolute') node.style.position = 'absolute';
  for (const [key, css] of [['offsetTop', 'top'], ['offsetBottom', 'bottom'], ['offsetStart', 'insetInlineStart'], ['offsetEnd', 'insetInlineEnd']]) {
    if (component[key] !== undefined) node.style[css] = length(component[key], SPACING);
  }
  const gravity = { top: 'flex-start', center: 'center', bottom: 'flex-end' }[component.gravity];
  if (gravity && parentLayout === 'horizontal') node.style.alignSelf = gravity;
}

function renderBox(box, ctx) {
  const layout = box.layout ?? 'vertical';
  const node = el('div', `flex-box flex-box--${layout}`);
  const s = node.style;
  if (box.backgroundColor) s.backgroundColor = box.backgroundColor;
  if (box.background?.type === 'linearGradient') {
    const { angle = '0deg', startColor, endColor, centerColor, centerPosition = '50%' } = box.background;
    const stops = centerColor ? `${startColor} 0%, ${centerColor} ${centerPosition}, ${endColor} 100%` : `${startColor}, ${endColor}`;
    // LINE's 0deg points up, like CSS.
    s.backgroundImage = `linear-gradient(${angle}, ${stops})`;
  }
  if (box.borderWidth !== undefined || box.borderColor) {
    s.borderStyle = 'solid';
    s.borderWidth = length(box.borderWidth ?? 'normal', BORDER_WIDTH);
    s.borderColor = box.borderColor ?? '#000000';
  }
  if (box.cornerRadius) s.borderRadius = length(box.cornerRadius, CORNER_RADIUS);
  for (const [key, css] of [['width', 'width'], ['maxWidth', 'maxWidth'], ['height', 'height'], ['maxHeight', 'maxHeight']]) {
    if (box[key] !== undefined) s[css] = length(box[key]);
  }
  if (box.paddingAll !== undefined) s.padding = length(box.paddingAll, SPACING);
  for (const [key, css] of [['paddingTop', 'paddingTop'], ['paddingBottom', 'paddingBottom'], ['paddingStart', 'paddingInlineStart'], ['paddingEnd', 'paddingInlineEnd']]) {
    if (box[key] !== undefined) s[css] = length(box[key], SPACING);
  }
  if (box.justifyContent) s.justifyContent = box.justifyContent;
  if (box.alignItems) s.alignItems = box.alignItems;

  const spacing = length(box.spacing, SPACING);
  const marginSide = layout === 'vertical' ? 'marginTop' : 'marginInlineStart';
  (box.contents ?? []).forEach((child, i) => {
    const childNode = renderComponent(child, ctx, layout);
    // A component's own margin wins over the box's spacing; neither applies before the first.
    const gap = child.margin !== undefined ? length(child.margin, SPACING) : i > 0 ? spacing : undefined;
    if (gap && child.position !== 'absolute') childNode.style[marginSide] = gap;
    node.append(childNode);
  });
  tappable(node, box.action, ctx);
  return node;
}

function renderText(text, ctx) {
  const node = el('div', 'flex-text');
  styleText(node, text);
  node.style.textAlign = { start: 'start', end: 'end', center: 'center' }[text.align] ?? 'start';
  if (text.wrap) {
    node.classList.add('flex-text--wrap');
    if (text.lineSpacing) node.style.lineHeight = `calc(1.4em + ${length(text.lineSpacing)})`;
    if (text.maxLines) {
      node.classList.add('flex-text--clamp');
      node.style.webkitLineClamp = String(text.maxLines);
    }
  }
  if (Array.isArray(text.contents) && text.contents.length > 0) {
    for (const span of text.contents) {
      if (span.type !== 'span') continue;
      const spanNode = el('span');
      styleText(spanNode, span);
      spanNode.textContent = span.text ?? '';
      node.append(spanNode);
    }
  } else {
    node.textContent = text.text ?? '';
  }
  tappable(node, text.action, ctx);
  return node;
}

/** Properties texts and spans share. */
function styleText(node, props) {
  if (props.size) node.style.fontSize = length(props.size, TEXT_SIZES);
  if (props.weight === 'bold') node.style.fontWeight = '700';
  if (props.color) node.style.color = props.color;
  if (props.style === 'italic') node.style.fontStyle = 'italic';
  if (props.decoration === 'underline' || props.decoration === 'line-through') node.style.textDecoration = props.decoration;
}

function renderButton(button, ctx) {
  const wrapper = el('div', 'flex-button-wrap');
  const style = button.style ?? 'link';
  const node = el('button', `flex-button flex-button--${style}`);
  node.type = 'button';
  node.style.height = `${BUTTON_HEIGHTS[button.height ?? 'md'] ?? 52}px`;
  if (style === 'link') node.style.color = button.color ?? BUTTON_COLORS.link;
  else node.style.backgroundColor = button.color ?? BUTTON_COLORS[style];
  node.textContent = button.action?.label ?? '';
  if (button.action) {
    node.addEventListener('click', (event) => {
      event.stopPropagation();
      ctx.onTap(button.action);
    });
  }
  else node.disabled = true;
  wrapper.append(node);
  return wrapper;
}

function renderImage(image, ctx) {
  const wrapper = el('div', 'flex-image');
  wrapper.style.justifyContent = { start: 'flex-start', end: 'flex-end' }[image.align] ?? 'center';
  const size = image.size ?? 'md';
  const frame = el('div', 'flex-image-frame');
  frame.style.width = size === 'full' ? '100%' : length(size, IMAGE_SIZES);
  frame.style.maxWidth = '100%';
  const [w, h] = String(image.aspectRatio ?? '1:1').split(':').map(Number);
  frame.style.aspectRatio = `${w || 1} / ${h || 1}`;
  if (image.backgroundColor) frame.style.backgroundColor = image.backgroundColor;
  frame.append(picture(image.url, image.aspectMode === 'cover' ? 'cover' : 'contain'));
  wrapper.append(frame);
  tappable(wrapper, image.action, ctx);
  return wrapper;
}

/** An <img> that shows a quiet placeholder when the URL cannot be loaded (offline, fake host). */
export function picture(url, fit = 'cover') {
  const img = el('img', 'picture');
  img.alt = '';
  img.loading = 'lazy';
  img.style.objectFit = fit;
  img.addEventListener('error', () => img.classList.add('picture--missing'), { once: true });
  img.src = url ?? '';
  return img;
}

function renderIcon(icon) {
  const node = el('span', 'flex-icon');
  const size = TEXT_SIZES[icon.size ?? 'md'] ?? parseFloat(icon.size) ?? 16;
  const [w, h] = String(icon.aspectRatio ?? '1:1').split(':').map(Number);
  node.style.height = `${size}px`;
  node.style.width = `${(size * (w || 1)) / (h || 1)}px`;
  node.append(picture(icon.url, 'contain'));
  return node;
}

function renderVideo(video, ctx) {
  const node = renderImage({ url: video.previewUrl, aspectRatio: video.aspectRatio ?? '16:9', size: 'full', aspectMode: 'cover', action: video.action }, ctx);
  node.classList.add('flex-video');
  return node;
}

function renderSeparator(separator, _ctx, parentLayout) {
  const node = el('div', `flex-separator flex-separator--${parentLayout === 'vertical' ? 'h' : 'v'}`);
  node.style.borderColor = separator.color ?? DEFAULT_SEPARATOR_COLOR;
  return node;
}

function renderFiller() {
  return el('div', 'flex-filler');
}

function renderSpacer(spacer, _ctx, parentLayout) {
  const node = el('div', 'flex-spacer');
  node.style[parentLayout === 'vertical' ? 'height' : 'width'] = length(spacer.size ?? 'md', SPACING);
  return node;
}

function unknownComponent(component) {
  const node = el('div', 'flex-unknown');
  node.textContent = `[${component.type}]`;
  return node;
}

/** Makes a component act like a button when it carries an action. */
function tappable(node, action, ctx) {
  if (!action) return;
  node.classList.add('tappable');
  node.setAttribute('role', 'button');
  node.tabIndex = 0;
  if (action.label) node.setAttribute('aria-label', action.label);
  const tap = (event) => {
    event.stopPropagation();
    ctx.onTap(action);
  };
  node.addEventListener('click', tap);
  node.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') tap(event);
  });
}
