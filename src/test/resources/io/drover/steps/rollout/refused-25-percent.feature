Feature: 25% of 4 hosts allows one
  Scenario: One host refuses a check it does not define
    Given I want to update hosts with class roles::dev_server
    And I want to update hosts with fact country=de
    And I allow at most 25% failed hosts per batch
    Then the nrpe check check_partial should pass
    And the nrpe check check_load should pass
