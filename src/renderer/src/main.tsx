// First, so the areas' own CSS (imported by their components) comes after the base elements.
import './base.css'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { appPreferences } from './store/app-preferences'
import { App } from './ui/app'
import { followThemePreference } from './ui/apply-theme'

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root element')
// Preferences load before the first render, so the theme and the form's prefill are right from
// the first frame (the settings file is local: this takes milliseconds). A failure leaves
// defaults and a sentence in the store, never a blank window.
void appPreferences
  .getState()
  .load()
  .then(() => {
    followThemePreference(appPreferences)
    createRoot(root).render(
      <StrictMode>
        <App />
      </StrictMode>
    )
  })
